/**
 * The XPath subset of stream filters (PROTOCOL.md §8.1 XPathFilter, §14) and the XML tree of a
 * tag-value list (§9.5) it is evaluated on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NsoMockError, normalizeTagValue, type TagValueInput } from '../../src/codec/index.js';
import { eventTree, valueText } from '../../src/server/event-tree.js';
import { compileXPathFilter, type FilterElement } from '../../src/server/xpath-filter.js';
import { fcRuns } from '../support/fc-config.js';

/** <link-up><if-name>eth0</if-name><speed>1000</speed><if-name>eth1</if-name><flags><up/></flags></link-up> */
const LINK_UP: FilterElement[] = [
  {
    name: 'link-up',
    children: [
      { name: 'if-name', value: 'eth0' },
      { name: 'speed', value: '1000' },
      { name: 'if-name', value: 'eth1' },
      { name: 'flags', children: [{ name: 'up' }] },
    ],
  },
];

const selects = (filter: string, tree: readonly FilterElement[] = LINK_UP): boolean => compileXPathFilter(filter).test(tree);

function compileError(filter: string): NsoMockError {
  try {
    compileXPathFilter(filter);
  } catch (e) {
    if (e instanceof NsoMockError) return e;
    throw e;
  }
  throw new Error(`compiled: ${filter}`);
}

describe('compileXPathFilter: what selects an event', () => {
  it.each([
    ['/link-up', true],
    ['link-up', true],
    ['/link-down', false],
    ['/link-up/if-name', true],
    ['/if-name', false],
    ['//if-name', true],
    ['//up', true],
    ['/link-up//up', true],
    ['/link-up/*/up', true],
    ['ex:link-up/ex:if-name', true],
    ['/ex:*', true],
    ["/link-up[if-name='eth1']", true],
    ["/link-up[if-name='eth2']", false],
    ["/link-up[if-name!='eth0']", true],
    ["/link-up[speed='1000']", true],
    ['/link-up[speed=1000.0]', true],
    ['/link-up[speed>999]', true],
    ['/link-up[speed>1000]', false],
    ['/link-up[speed>=1000]', true],
    ['/link-up[speed<1000]', false],
    ['/link-up[speed<=1000]', true],
    ['/link-up[1000>=speed]', true],
    ['/link-up[if-name>1]', false],
    ["/link-up[if-name='eth0' and speed=1000]", true],
    ["/link-up[if-name='eth9' or speed=1000]", true],
    ["/link-up[not(if-name='eth0')]", false],
    ['not(/link-down)', true],
    ["/link-up[contains(if-name, 'th')]", true],
    ["/link-up[starts-with(if-name, 'eth1')]", false],
    ["starts-with(string(//if-name[2]), 'eth1')", true],
    ['count(//if-name) = 2', true],
    ['count(/link-up/*) = 4', true],
    ["/link-up/if-name[1] = 'eth0'", true],
    ["/link-up/if-name[2] = 'eth0'", false],
    ["/link-up/if-name[last()] = 'eth1'", true],
    ["/link-up/*[position() = 2] = '1000'", true],
    ['//if-name[3]', false],
    ["(//if-name)[2] = 'eth1'", true],
    ['/link-up/flags/up/../..', true],
    ['//up/parent::flags', true],
    ['/descendant::speed', true],
    ['/child::link-up/self::link-up', true],
    ["//text() = '1000'", true],
    ["//if-name[text() = 'eth1']", true],
    ['//up[node()]', false],
    ["//if-name[. = 'eth1'] | //nothing", true],
    ['/', true],
    ["'text'", true],
    ["''", false],
    ['0', false],
    ['-1 < 0', true],
    ['true() and not(false())', true],
    ["string-length(//speed) = 4 and number(//speed) = 1000 and boolean(//up)", true],
    ["/link-up/flags = ''", true],
    ["/link-up = 'eth01000eth1'", true],
  ])('%s → %s', (filter, expected) => {
    expect(selects(filter)).toBe(expected);
  });

  it('an element without a known name matches only * and node()', () => {
    const tree: FilterElement[] = [{ name: undefined, children: [{ name: 'x', value: '1' }] }];
    expect(selects('/*/x', tree)).toBe(true);
    expect(selects('/node()', tree)).toBe(true);
    expect(selects('//x = 1', tree)).toBe(true);
    expect(selects('/undefined', tree)).toBe(false);
  });

  it('gives up after maxVisits (selects nothing rather than let an event through unchecked)', () => {
    const wide: FilterElement[] = [{ name: 'a', children: Array.from({ length: 1000 }, () => ({ name: 'b', value: 'x' })) }];
    expect(compileXPathFilter('//b', { maxVisits: 100 }).test(wide)).toBe(false);
    expect(compileXPathFilter('//b').test(wide)).toBe(true);
  });

  it('evaluates a deep tree without recursion', () => {
    let deep: FilterElement = { name: 'leaf', value: 'v' };
    for (let i = 0; i < 50_000; i += 1) deep = { name: 'n', children: [deep] };
    expect(compileXPathFilter("//leaf = 'v'").test([deep])).toBe(true);
  });
});

describe('compileXPathFilter: errors (NSOMOCK_SERVER_XPATH, the offset of the problem)', () => {
  it.each([
    ['', 0, 'the filter is empty'],
    ['/a[', 3, 'expected a location path, a literal, a number or a function call, found the end of the filter'],
    ['/a]', 2, "unexpected ']' after a complete expression"],
    ["/a[b='x]", 5, 'unterminated string literal'],
    ['@name', 0, 'attributes are not supported'],
    ['/a/@b', 3, 'attributes are not supported'],
    ['$v', 0, 'variables are not supported'],
    ['a + 1', 2, "arithmetic ('+') is not supported"],
    ['a * 2', 2, "arithmetic ('*') is not supported"],
    ['a div 2', 2, "arithmetic ('div') is not supported"],
    ['foo(a)', 0, 'function foo() is not supported'],
    ['ancestor::a', 0, 'axis ancestor:: is not supported'],
    ['not()', 0, 'not() takes 1 argument, got 0'],
    ["contains('a')", 0, 'contains() takes 2 arguments, got 1'],
    ["count('a')", 0, 'count() needs a node-set argument'],
    ["a | 'x'", 2, "'|' needs node-sets on both sides"],
    ['1[1]', 0, 'a predicate needs a node-set'],
    ['a:', 1, "expected a local name or '*' after 'a:'"],
    ['a or', 4, 'expected a location path, a literal, a number or a function call, found the end of the filter'],
    ['./[1]', 2, 'expected a node test'],
    ['.[1]', 1, "'.' cannot take a predicate"],
    ['comment()', 0, 'function comment() is not supported'],
    ['a ! b', 2, 'unexpected character "!"'],
  ])('%j fails at %i: %s', (filter, position, reason) => {
    const e = compileError(filter);
    expect(e.code).toBe('NSOMOCK_SERVER_XPATH');
    expect(e.message).toContain(`Failed to compile XPath filter: ${reason}`);
    expect(e.message).toContain(`(at offset ${position} of ${JSON.stringify(filter)})`);
    expect(e.details).toEqual({ filter, position });
  });

  it('bounds the filter length and nesting depth', () => {
    expect(compileError(`/${'a'.repeat(5000)}`).message).toContain('longer than 4096 characters');
    expect(compileError(`${'('.repeat(100)}1${')'.repeat(100)}`).message).toContain('nested deeper than 64');
    expect(compileError(`${'not('.repeat(100)}a${')'.repeat(100)}`).message).toContain('nested deeper than 64');
    expect(compileError(`/a${'[b'.repeat(100)}${']'.repeat(100)}`).message).toContain('nested deeper than 64');
    expect(compileError(`${'-'.repeat(100)}1`).message).toContain('nested deeper than 64');
    expect(() => compileXPathFilter('/ab', { maxLength: 2 })).toThrow(/longer than 2 characters/);
  });
});

const tv = (input: TagValueInput) => normalizeTagValue(input);

describe('eventTree (§9.5 → XML)', () => {
  it('opens on start and delete, closes on stop, names hashed tags through tagNames', () => {
    const values = [
      tv({ ns: 7, tag: 100, xml: 'start' }),
      tv({ ns: 7, tag: 101, v: 'eth0' }),
      tv({ ns: 7, tag: 102, v: { confd_type: 'uint32', value: 1000 } }),
      tv({ ns: 7, tag: 103, xml: 'leaf' }),
      tv({ ns: 7, tag: 104, xml: 'delete' }),
      tv({ ns: 7, tag: 101, v: 'eth1' }),
      tv({ ns: 7, tag: 104, xml: 'stop' }),
      tv({ ns: 7, tag: 105, v: ['a', 'b'] }),
      tv({ ns: 7, tag: 100, xml: 'stop' }),
    ];
    expect(eventTree(values, { 100: 'link-up', 101: 'if-name', 102: 'speed', 103: 'up', 105: 'tags' })).toEqual([
      {
        name: 'link-up',
        children: [
          { name: 'if-name', value: 'eth0' },
          { name: 'speed', value: '1000' },
          { name: 'up' },
          { name: undefined, children: [{ name: 'if-name', value: 'eth1' }] },
          { name: 'tags', value: 'a' },
          { name: 'tags', value: 'b' },
        ],
      },
    ]);
  });

  it('takes atom tags (UseIKP = 1) as names, and never throws on unbalanced markers', () => {
    const values = [tv({ tag: 'stop-here', xml: 'stop' }), tv({ ns: 'urn:ex', tag: 'alarm', xml: 'start' }), tv({ tag: 'severity', v: 'major' })];
    expect(eventTree(values)).toEqual([{ name: 'alarm', children: [{ name: 'severity', value: 'major' }] }]);
  });

  it('renders leaf values as their XML text', () => {
    const text = (v: unknown): string => valueText(tv({ tag: 1, v: v as never }).v, { 77: 'ethernet' });
    expect(text(true)).toBe('true');
    expect(text(-5)).toBe('-5');
    expect(text(2.5)).toBe('2.5');
    expect(text({ confd_type: 'decimal64', value: -1234, fraction_digits: 2 })).toBe('-12.34');
    expect(text({ confd_type: 'decimal64', value: 5, fraction_digits: 3 })).toBe('0.005');
    expect(text({ confd_type: 'ipv4', value: '10.0.0.1' })).toBe('10.0.0.1');
    expect(text({ confd_type: 'datetime', value: '2023-11-14T12:00:00Z' })).toMatch(/^2023-11-14T12:00:00/);
    expect(text({ confd_type: 'binary', value: [1, 2, 3] })).toBe('AQID');
    expect(text({ confd_type: 'hexstr', value: [0xab, 1] })).toBe('ab:01');
    expect(text({ confd_type: 'identityref', value: { ns: 1, id: 77 } })).toBe('ethernet');
    expect(text({ confd_type: 'noexists' })).toBe('');
  });
});

// ---- properties ------------------------------------------------------------------------------------

const NAMES = ['a', 'b', 'x'] as const;
const VALUES = ['v', 'w', '1', ''] as const;

const treeArb: fc.Arbitrary<FilterElement[]> = fc.letrec<{ el: FilterElement }>((tie) => ({
  el: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ name: fc.constantFrom(...NAMES), value: fc.constantFrom(...VALUES) }),
    fc.record({ name: fc.constantFrom(...NAMES), children: fc.array(tie('el'), { maxLength: 4 }) }),
  ),
})).el.chain((el) => fc.array(fc.constant(el), { minLength: 1, maxLength: 1 }));

const forest: fc.Arbitrary<FilterElement[]> = fc.array(treeArb.map((t) => t[0]!), { minLength: 1, maxLength: 3 });

/** XPath string-value computed directly: the concatenated leaf text below an element. */
function text(el: FilterElement): string {
  return (el.value ?? '') + (el.children ?? []).map(text).join('');
}

function* walk(els: readonly FilterElement[]): Generator<FilterElement> {
  for (const el of els) {
    yield el;
    yield* walk(el.children ?? []);
  }
}

const XPATH_PIECES = ['/', '//', 'a', 'b', 'x:a', '*', '.', '..', '[', ']', '(', ')', "'v'", '"w"', '1', '2.5', '=', '!=', '<', '<=', '>', '>=', ' and ', ' or ', 'not(', 'contains(', 'count(', 'starts-with(', 'string(', 'last()', ',', '|', '@', '$', '+', '-', 'div', 'child::', 'text()', 'node()', ' ', ':', '::', '"'];

describe('properties', () => {
  it("a[x='v'] and //a[x='v'] select exactly the events with such an element (direct tree search)", () => {
    const top = compileXPathFilter("a[x='v']");
    const anywhere = compileXPathFilter("//a[x='v']");
    fc.assert(
      fc.property(forest, (roots) => {
        const has = (el: FilterElement): boolean => el.name === 'a' && (el.children ?? []).some((c) => c.name === 'x' && text(c) === 'v');
        expect(top.test(roots)).toBe(roots.some(has));
        expect(anywhere.test(roots)).toBe([...walk(roots)].some(has));
      }),
      { numRuns: fcRuns() },
    );
  });

  it('count(//name) and position predicates agree with a direct count', () => {
    fc.assert(
      fc.property(forest, fc.constantFrom(...NAMES), fc.integer({ min: 0, max: 12 }), (roots, name, n) => {
        const count = [...walk(roots)].filter((el) => el.name === name).length;
        expect(compileXPathFilter(`count(//${name}) = ${n}`).test(roots)).toBe(count === n);
        expect(compileXPathFilter(`(//${name})[${n}]`).test(roots)).toBe(n >= 1 && n <= count);
      }),
      { numRuns: fcRuns() },
    );
  });

  it('random filter text either compiles or fails with NSOMOCK_SERVER_XPATH; a compiled filter never throws', () => {
    const filterText = fc.oneof(fc.string({ maxLength: 40 }), fc.array(fc.constantFrom(...XPATH_PIECES), { maxLength: 14 }).map((p) => p.join('')));
    fc.assert(
      fc.property(filterText, forest, (src, roots) => {
        let filter;
        try {
          filter = compileXPathFilter(src);
        } catch (e) {
          expect(e).toBeInstanceOf(NsoMockError);
          expect((e as NsoMockError).code).toBe('NSOMOCK_SERVER_XPATH');
          const position = (e as NsoMockError<{ position: number }>).details.position;
          expect(position).toBeGreaterThanOrEqual(0);
          expect(position).toBeLessThanOrEqual(src.length);
          return;
        }
        expect(typeof filter.test(roots)).toBe('boolean');
      }),
      { numRuns: fcRuns(5) },
    );
  });
});
