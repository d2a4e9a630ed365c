/**
 * Every captured exchange of maapi_nso62.jsonl (the NSO 6.2.5 Python library against a recording
 * fake, MAAPI.md §M0) replayed against the mock over real sockets: the client's bytes are written
 * as captured, and each server reply is checked byte for byte where the mock's answer is
 * deterministic and the capture's fake made the same choice, otherwise for the captured shape
 * (each exception below says why).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { fcRuns } from '../support/fc-config.js';
import { atom, binary, decodeTerm, encodeTerm, formatTerm, improper, int, list, tuple, type Term } from '../../src/codec/index.js';
import { sendableTermArbitrary } from '../../src/arbitraries/index.js';
import { createMaapiServer, type MaapiServer } from '../../src/maapi/index.js';
import type { Schema } from '../../src/schema/index.js';
import { startServer, type Started } from '../server/helpers.js';
import { captureSchema, captureSchemaWithOther } from '../support/maapi-schema.js';
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

/** Well-formed request terms, so the fuzz reaches the handlers' own checks. */
const TERM_PATH: Term = list([improper([atom('mk')], atom('sys')), atom('host'), tuple(binary('h1'))]);
const TERM_GET_NEXT: Term = tuple(atom('first'), list([improper([atom('mk')], atom('sys')), atom('host')]), int(1), int(0), atom(''));
const TERM_GET_VALUES: Term = tuple(list([tuple(improper([int(1912237357)], int(1005)), atom('not_found'))]), TERM_PATH);

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

/** The capture's model by the schema layer from YANG (`tailf:id-value` gives the capture's hashes); iter adds `/other:box`. */
function schemaFor(scenario: string): Schema {
  return scenario === 'iter' ? captureSchemaWithOther() : captureSchema();
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

describe('properties', () => {
  it('the replies are the captured bytes however the client\'s bytes are chunked (session, schema, txn)', async () => {
    const maapi = createMaapiServer({ schema: schemaFor('txn') });
    started = await startServer({ clientHandlers: { 7: maapi.handle } });
    maapi.addTransaction(TXN_7);
    const st = started;
    const exact = STEPS.filter((s) => ['session', 'schema', 'txn'].includes(s.scenario));
    // One connection per scenario: its client bytes, and every reply it must get, concatenated.
    const conversations = ['session', 'schema', 'txn'].map((name) => {
      const steps = exact.filter((s) => s.scenario === name);
      return {
        sent: Buffer.concat(steps.filter((s) => s.direction === 'client->server').map((s) => fromHex(s.hex))),
        replies: Buffer.concat(steps.filter((s) => s.direction === 'server->client').map((s) => fromHex(s.hex))),
      };
    });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1, 2), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }), fc.boolean(), async (which, sizes, viaUnix) => {
        const { sent, replies } = conversations[which]!;
        const client = await rawMaapi(viaUnix ? { path: st.unix } : st.tcp);
        try {
          let at = 0;
          let i = 0;
          while (at < sent.length) {
            const n = sizes[i % sizes.length]!;
            client.write(sent.subarray(at, at + n));
            at += n;
            i += 1;
            // Let some chunks arrive on their own.
            if (i % 3 === 0) await new Promise((r) => setImmediate(r));
          }
          expect(toHex(await client.readRaw(replies.length))).toBe(toHex(replies));
        } finally {
          client.close();
        }
      }),
      { numRuns: fcRuns(0.3) },
    );
  });

  it('random requests after the handshake get a reply or close only their own connection', async () => {
    const maapi = createMaapiServer({ schema: schemaFor('txn') });
    started = await startServer({ clientHandlers: { 7: maapi.handle } });
    maapi.addTransaction(TXN_7);
    const st = started;
    const bystander = await rawMaapi(st.tcp);
    bystander.write(fromHex('070052080205003c12'));
    await bystander.readRaw(9);
    const header = fromHex('070052080205003c12');
    // A frame: any op (mostly the subset's), maybe a th, then random bytes or a random term.
    const frame = fc
      .tuple(
        fc.oneof(fc.constantFrom(100, 101, 105, 164, 165, 166, 169, 176, 183, 194, 220, 221, 231, 232, 253, 262, 264, 269), fc.nat()),
        fc.option(fc.constantFrom(7, 99, -2), { nil: undefined }),
        fc.oneof(
          fc.uint8Array({ maxLength: 40 }),
          sendableTermArbitrary().map((t) => encodeTerm(t).subarray(1)),
          fc.constantFrom(TERM_PATH, TERM_GET_NEXT, TERM_GET_VALUES).map((t) => encodeTerm(t).subarray(1)),
        ),
      )
      .map(([op, th, rest]) => {
        const head = Buffer.alloc(th === undefined ? 4 : 8);
        head.writeUInt32BE(op >>> 0, 0);
        if (th !== undefined) head.writeInt32BE(th | 0, 4);
        const payload = Buffer.concat([head, Buffer.from([131]), rest]);
        const len = Buffer.alloc(4);
        len.writeUInt32BE(payload.length, 0);
        return Buffer.concat([len, payload]);
      });
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 5 }), async (frames) => {
        const client = await rawMaapi(st.unix === undefined ? st.tcp : { path: st.unix });
        client.write(Buffer.concat([header, ...frames]));
        await client.readRaw(9);
        client.close();
        // The bystander still gets its answer.
        bystander.write(fromHex('0000000400000065'));
        expect(toHex(await bystander.readFrame())).toBe('0000000400000065');
        // No input makes the MAAPI server fail (an `internal` violation would be a bug of ours).
        expect(st.server.violations.filter((v) => v.code === 'internal')).toEqual([]);
      }),
      { numRuns: fcRuns(0.3) },
    );
    bystander.close();
  });
});
