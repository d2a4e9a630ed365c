import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createNcmpEngine, recordJsonLine, type NcmpEngine, type NcmpRecord } from '../../src/ncmp/index.js';
import { fcRuns } from '../support/fc-config.js';

function scenario(engine: NcmpEngine): void {
  engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register', alternateId: 'fdn=1' });
  engine.asyncResponse({ format: 'legacy', topic: 'client', data: { a: 1 } });
  engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'module-sync-succeeded' });
  engine.asyncResponse({ format: 'data-operation', topic: 'client', responses: [{ operationId: 'o', ids: ['ch-1'], statusCode: 0 }] });
  engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'deregister' });
}

const lines = (engine: NcmpEngine): string[] => engine.store.all().map(recordJsonLine);

describe('NCMP engine', () => {
  it('is deterministic: same seed and clock give the same bytes; another seed other ids', () => {
    let t = Date.UTC(2024, 4, 1);
    const clock = { now: (): number => (t += 1000) };
    const a = createNcmpEngine({ seed: 'abc', clock });
    scenario(a);
    t = Date.UTC(2024, 4, 1);
    const b = createNcmpEngine({ seed: 'abc', clock });
    scenario(b);
    expect(lines(b)).toEqual(lines(a));
    t = Date.UTC(2024, 4, 1);
    const c = createNcmpEngine({ seed: 'abd', clock });
    scenario(c);
    expect(lines(c)).not.toEqual(lines(a));
    expect(a.records('ncmp-events').map((r) => r.timestamp)).toEqual([Date.UTC(2024, 4, 1, 0, 0, 1), Date.UTC(2024, 4, 1, 0, 0, 3), Date.UTC(2024, 4, 1, 0, 0, 5), Date.UTC(2024, 4, 1, 0, 0, 5)]);
  });

  it('pins ids without shifting the ids that follow', () => {
    const clock = { now: (): number => 0 };
    const plain = createNcmpEngine({ seed: 1, clock });
    const pinned = createNcmpEngine({ seed: 1, clock });
    plain.cmHandle({ cmHandleId: 'ch-1', trigger: 'register' });
    plain.cmHandle({ cmHandleId: 'ch-1', trigger: 'deregister' });
    pinned.cmHandle({ cmHandleId: 'ch-1', trigger: 'register', eventIds: ['my-create'] });
    pinned.cmHandle({ cmHandleId: 'ch-1', trigger: 'deregister', eventIds: ['my-deleting'] });
    const ids = (e: NcmpEngine): string[] => e.records('ncmp-events').map((r) => JSON.parse(new TextDecoder().decode(r.value!)).eventId);
    expect(ids(pinned)).toEqual(['my-create', 'my-deleting', ids(plain)[2]]);
    const legacy = pinned.asyncResponse({ format: 'legacy', topic: 'client', requestId: 'req-9', dmiEventId: 'dmi-9', eventId: 'ncmp-9' });
    expect(legacy.map((r) => new TextDecoder().decode(r.key!))).toEqual(['req-9', 'ncmp-9']);
    const ce = pinned.asyncResponse({ format: 'data-operation', topic: 'client', ceId: 'ce-1', responses: [{ operationId: 'o', ids: [], statusCode: 0 }] });
    expect(new TextDecoder().decode(ce[0]!.headers.find((h) => h.key === 'ce_id')!.value)).toBe('ce-1');
  });

  it('replays a topic to a late subscriber, then follows it, until close()', async () => {
    const engine = createNcmpEngine({ clock: { now: () => 0 } });
    engine.cmHandle({ cmHandleId: 'a', trigger: 'register' });
    const seen: NcmpRecord[] = [];
    engine.subscribe('ncmp-events', 0, (r) => seen.push(r));
    engine.cmHandle({ cmHandleId: 'b', trigger: 'register' });
    expect(seen.map((r) => r.offset)).toEqual([0, 1]);
    const fromOne: number[] = [];
    engine.subscribe('ncmp-events', 1, (r) => fromOne.push(r.offset));
    expect(fromOne).toEqual([1]);
    await engine.close();
    engine.cmHandle({ cmHandleId: 'c', trigger: 'register' });
    expect(seen).toHaveLength(2);
    expect(engine.records('ncmp-events', 2)).toHaveLength(1);
    expect(engine.records('no-such-topic')).toEqual([]);
    expect(engine.topicInfo()).toEqual([{ topic: 'ncmp-events', partitions: 1, records: 3 }]);
  });

  it('uses configured topic names and rejects illegal ones', () => {
    const engine = createNcmpEngine({ topics: { lcm: 'my-lcm', asyncM2m: 'my-m2m' }, clock: { now: () => 0 } });
    engine.cmHandle({ cmHandleId: 'a', trigger: 'register' });
    engine.asyncResponse({ format: 'legacy', topic: 'client' });
    expect(engine.topicInfo().map((t) => t.topic)).toEqual(['my-lcm', 'my-m2m', 'client']);
    expect(() => createNcmpEngine({ topics: { lcm: '..' } })).toThrow(expect.objectContaining({ code: 'NSOMOCK_USAGE' }));
    expect(() => createNcmpEngine({ partitions: 0 }).cmHandle({ cmHandleId: 'a', trigger: 'register' })).toThrow(expect.objectContaining({ code: 'NSOMOCK_USAGE' }));
  });

  describe('properties', () => {
    it('every record of a random scenario is in its topic log at its offset, keyed partition stable per key', () => {
      fc.assert(
        fc.property(
          fc.array(fc.oneof(fc.constantFrom('a', 'b', 'c', 'd').map((id) => ({ kind: 'reg' as const, id })), fc.constant({ kind: 'async' as const, id: '' })), { maxLength: 25 }),
          fc.integer({ min: 1, max: 6 }),
          (ops, partitions) => {
            const engine = createNcmpEngine({ seed: 2, clock: { now: () => 0 }, partitions });
            for (const op of ops) {
              if (op.kind === 'async') engine.asyncResponse({ format: 'legacy', topic: 'client' });
              else if (engine.cmHandles().has(op.id)) engine.cmHandle({ cmHandleId: op.id, trigger: 'deregister' });
              else engine.cmHandle({ cmHandleId: op.id, trigger: 'register' });
            }
            const partitionOfKey = new Map<string, number>();
            for (const info of engine.topicInfo()) {
              const records = engine.records(info.topic);
              records.forEach((r, i) => {
                expect(r.offset).toBe(i);
                expect(r.partition).toBeLessThan(partitions);
                const key = `${info.topic}/${new TextDecoder().decode(r.key!)}`;
                expect(partitionOfKey.get(key) ?? r.partition).toBe(r.partition);
                partitionOfKey.set(key, r.partition);
                expect(r.partitionOffset).toBe(records.slice(0, i).filter((x) => x.partition === r.partition).length);
              });
            }
          },
        ),
        { numRuns: fcRuns() },
      );
    });
  });
});
