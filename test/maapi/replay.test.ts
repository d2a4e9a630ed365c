/**
 * Every captured exchange of maapi_nso62.jsonl (the NSO 6.2.5 Python library against a recording
 * fake, MAAPI.md §M0) replayed against the mock over real sockets: the client's bytes are written
 * as captured, and each server reply is checked byte for byte where the mock's answer is
 * deterministic and the capture's fake made the same choice, otherwise for the captured shape
 * (each exception below says why).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeTerm, formatTerm, type Term } from '../../src/codec/index.js';
import { createMaapiServer, type MaapiServer } from '../../src/maapi/index.js';
import type { Schema } from '../../src/schema/index.js';
import { startServer, type Started } from '../server/helpers.js';
import { buildSchema, CAPTURE_NS, CAPTURE_ROOTS } from '../support/maapi-schema.js';
import { fromHex, toHex, VECTORS_DIR } from '../support/vectors.js';
import { rawMaapi, type RawMaapi } from './raw-maapi.js';

interface Step {
  readonly scenario: string;
  readonly step: number;
  readonly op: string;
  readonly direction: 'client->server' | 'server->client';
  readonly hex: string;
  readonly term?: string;
  readonly error_code?: number;
}

const STEPS: readonly Step[] = readFileSync(new URL('maapi_nso62.jsonl', VECTORS_DIR), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Step);

/** The transaction th 7 of the txn scenario: its changes in the capture's item order, its data what the reads saw. */
const TXN_7 = {
  th: 7,
  changes: [
    { path: '/mk:sys/host{h1}', op: 'created' },
    { path: '/mk:sys/host{h1}/address', op: 'value-set', value: '10.0.0.1' },
    { path: '/mk:sys/host{h1}/port', op: 'value-set', value: 22 },
    { path: '/mk:sys/host{h0}', op: 'deleted' },
    { path: '/mk:sys', op: 'modified' },
    { path: '/mk:sys/host{h2}', op: 'moved-after', value: 'h1' },
    { path: '/mk:sys/host{h3}', op: 'moved-after' },
    { path: '/mk:sys/host{h1}/address', op: 'attr-set', value: { attr: 2147483650, value: 'my-tag' } },
  ],
  data: { '/mk:sys/host{h1}/address': '10.0.0.1', '/mk:sys/host{h1}/port': 22, '/mk:sys/host{h2}': null },
} as const;

/**
 * The iter scenario's answers are CONTINUE, UP, STOP: three items that those answers do not skip
 * under the mock's tree order (§M4.2) — an entry, a sibling entry, then a node outside /mk:sys.
 */
const ITER_7 = {
  th: 7,
  changes: [
    { path: '/mk:sys/host{h1}', op: 'created' },
    { path: '/mk:sys/host{h1}/address', op: 'value-set', value: '10.0.0.9' },
    { path: '/mk:sys/host{h2}', op: 'modified' },
    { path: '/mk:sys/host{h2}/port', op: 'value-set', value: 8 },
    { path: '/mk:sys/host{h3}', op: 'created' },
    { path: '/other:box', op: 'modified' },
  ],
} as const;

const OTHER_NS = { uri: 'http://example.com/other', prefix: 'other', module: 'other', hash: 77 };

/** Replies checked for shape only, and why. */
const SHAPE_ONLY: Readonly<Record<string, string>> = {
  // The capture's fake answered the same NOEXISTS with two reason forms; the mock always sends the
  // {Text, ''} form that names the path (step 21 is byte-exact).
  'errors:19': 'error reason form',
  // The iter capture's fake had no schema; the mock serves its schema (two namespaces) here.
  'iter:4': 'schema stream',
  'iter:8': 'hash db count',
  'iter:9': 'hash db stream',
  // The fake's items were not in tree order; the mock's items are (§M4.2 [INF]).
  'iter:13': 'diff item',
  'iter:15': 'diff item',
  'iter:17': 'diff item',
  // {error} keeps the C library's previous error text (§M4.2); the mock always sends {badstate, Reason}.
  'iter:26': 'diff terminator',
};

/** Steps before which the transaction is finished (its ack arrived), as the capture's fake had it. */
const FINISH_BEFORE: ReadonlySet<string> = new Set(['iter:23']);

function schemaFor(scenario: string): Schema {
  const modules = [{ ns: CAPTURE_NS, roots: CAPTURE_ROOTS }];
  if (scenario === 'iter') modules.push({ ns: OTHER_NS, roots: [{ kind: 'container', name: 'box', hash: 2001, children: [] }] });
  return buildSchema(modules);
}

function payloadTerm(frame: Uint8Array, skip: number): Term {
  return decodeTerm(frame.subarray(skip));
}

/** Same kinds, tuple arities and atom names all the way down; lists compare their first elements. */
function sameShape(a: Term, b: Term): boolean {
  const listish = (t: Term): boolean => t.kind === 'list' || t.kind === 'nil';
  if (listish(a) && listish(b)) {
    if (a.kind !== 'list' || b.kind !== 'list') return true;
    return sameShape(a.elements[0]!, b.elements[0]!);
  }
  if (a.kind !== b.kind) return false;
  if (a.kind === 'tuple' && b.kind === 'tuple') return a.elements.length === b.elements.length && a.elements.every((e, i) => sameShape(e, b.elements[i]!));
  if (a.kind === 'atom' && b.kind === 'atom') return a.name === b.name;
  return true;
}

let started: Started | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
});

const scenarios = [...new Set(STEPS.map((s) => s.scenario))];

describe('maapi_nso62.jsonl replayed against the mock', () => {
  it('holds the 125 captured steps of five scenarios', () => {
    expect(STEPS.length).toBe(125);
    expect(scenarios).toEqual(['session', 'schema', 'txn', 'errors', 'iter']);
  });

  for (const scenario of scenarios) {
    for (const via of ['tcp', 'unix'] as const) {
      it(`${scenario} over ${via}: every reply as captured`, async () => {
        const maapi: MaapiServer = createMaapiServer({ schema: schemaFor(scenario) });
        started = await startServer({ clientHandlers: { 7: maapi.handle } });
        maapi.addTransaction(scenario === 'iter' ? ITER_7 : TXN_7);
        const client: RawMaapi = await rawMaapi(via === 'tcp' ? started.tcp : { path: started.unix });
        let exact = 0;
        let shaped = 0;
        try {
          for (const step of STEPS.filter((s) => s.scenario === scenario)) {
            const key = `${scenario}:${step.step}`;
            const captured = fromHex(step.hex);
            if (FINISH_BEFORE.has(key)) maapi.finishTransaction(7);
            if (step.direction === 'client->server') {
              client.write(captured);
              continue;
            }
            if (step.op === 'version_reply') {
              expect(toHex(await client.readRaw(9)), key).toBe(step.hex);
              exact += 1;
              continue;
            }
            const why = SHAPE_ONLY[key];
            if (why === undefined) {
              expect(toHex(await client.readFrame()), `${key} ${step.op}`).toBe(step.hex);
              exact += 1;
              continue;
            }
            shaped += 1;
            await checkShape(client, step, why, key);
          }
          // Nothing the capture did not show is left unread.
          await new Promise((r) => setTimeout(r, 20));
          expect(client.unread(), `${scenario}: unread bytes after the last step`).toBe(0);
        } finally {
          client.close();
        }
        expect(exact + shaped).toBe(STEPS.filter((s) => s.scenario === scenario && s.direction === 'server->client').length);
        if (scenario !== 'iter') expect(shaped).toBeLessThanOrEqual(1);
      });
    }
  }
});

async function checkShape(client: RawMaapi, step: Step, why: string, key: string): Promise<void> {
  const captured = fromHex(step.hex);
  switch (why) {
    case 'error reason form': {
      const frame = await client.readFrame();
      // Same op word with the error flag, same error code (§M1.3).
      expect(toHex(frame.subarray(4, 12)), key).toBe(toHex(captured.subarray(4, 12)));
      const reason = payloadTerm(frame, 12);
      const text = reason.kind === 'tuple' ? reason.elements[0]! : reason;
      expect(text.kind, key).toBe('binary');
      if (text.kind === 'binary') expect(text.bytes[text.bytes.length - 1], `${key}: reason ends in NUL`).toBe(0);
      return;
    }
    case 'schema stream': {
      // Records of each namespace in one frame, then eof (§M6.2).
      let frame = await client.readFrame();
      let n = 0;
      while (formatTerm(payloadTerm(frame, 4)) !== 'eof') {
        const t = payloadTerm(frame, 4);
        expect(t.kind, key).toBe('list');
        n += 1;
        frame = await client.readFrame();
      }
      expect(n, `${key}: namespaces`).toBe(2);
      return;
    }
    case 'hash db count': {
      const t = payloadTerm(await client.readFrame(), 4);
      expect(t.kind, key).toBe('integer');
      expect(formatTerm(t), `${key}: sys host name address port box`).toBe('6');
      return;
    }
    case 'hash db stream': {
      const list = payloadTerm(await client.readFrame(), 4);
      expect(list.kind, key).toBe('list');
      expect(formatTerm(payloadTerm(await client.readFrame(), 4)), key).toBe('eof');
      return;
    }
    case 'diff item': {
      const got = payloadTerm(await client.readFrame(), 4);
      const want = payloadTerm(captured, 4);
      expect(sameShape(got, want) || (got.kind === 'tuple' && got.elements.length === 4 && got.elements[0]?.kind === 'list'), `${key}: ${formatTerm(got)} vs ${formatTerm(want)}`).toBe(true);
      return;
    }
    case 'diff terminator': {
      const got = payloadTerm(await client.readFrame(), 4);
      expect(formatTerm(got), key).toBe('{badstate,<<"transaction is not in a state where diff can be iterated">>}');
      return;
    }
    default:
      throw new Error(`no shape check ${why}`);
  }
}
