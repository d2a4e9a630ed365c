import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyCmHandleTrigger,
  checkNcmpSchema,
  cmHandleTriggerNames,
  cmHandleTriggersFrom,
  createNcmpEngine,
  NcmpError,
  validateNcmpSteps,
  type CmHandle,
  type CmHandleState,
  type CmHandleTriggerName,
  type NcmpCmHandleStep,
} from '../../src/ncmp/index.js';
import { fcRuns } from '../support/fc-config.js';

/**
 * The reference model: shared/schemas/ncmp/README.md's state-machine table, written out as data,
 * independently of the reducer. `attr` marks triggers that change an attribute, not the state (they
 * are allowed in ADVISED/READY/LOCKED only when the value really changes; a dataProducerIdentifier
 * only while none is set, as CmHandleRegistrationServicePropertyHandler keeps the first one). A
 * property update publishes no event (CPS), one with the non-CPS opt-in.
 */
type From = CmHandleState | 'NONE';
const TABLE: Readonly<Record<From, Partial<Record<CmHandleTriggerName, readonly CmHandleState[] | 'attr'>>>> = {
  NONE: { register: ['ADVISED'] },
  ADVISED: {
    'module-sync-succeeded': ['READY'],
    'module-sync-failed': ['LOCKED'],
    deregister: ['DELETING', 'DELETED'],
    'deregister-begin': ['DELETING'],
    'set-data-producer-identifier': 'attr',
    'update-properties': 'attr',
  },
  READY: { upgrade: ['LOCKED'], deregister: ['DELETING', 'DELETED'], 'deregister-begin': ['DELETING'], 'set-data-producer-identifier': 'attr', 'update-properties': 'attr' },
  LOCKED: { retry: ['ADVISED'], deregister: ['DELETING', 'DELETED'], 'deregister-begin': ['DELETING'], 'set-data-producer-identifier': 'attr', 'update-properties': 'attr' },
  DELETING: { 'deregister-complete': ['DELETED'] },
  DELETED: {},
};

interface ModelHandle {
  state: CmHandleState;
  dpi: string | undefined;
  props: string;
}

const stepArb: fc.Arbitrary<NcmpCmHandleStep> = fc
  .record({
    cmHandleId: fc.constantFrom('ch-1', 'ch-2'),
    trigger: fc.constantFrom(...cmHandleTriggerNames),
    value: fc.constantFrom('a', 'b'),
    lcmSchemaVersion: fc.constantFrom('v1' as const, 'v2' as const),
  })
  .map(({ cmHandleId, trigger, value, lcmSchemaVersion }) => {
    const base = { cmHandleId, trigger, lcmSchemaVersion };
    if (trigger === 'set-data-producer-identifier') return { ...base, dataProducerIdentifier: value };
    if (trigger === 'update-properties') return value === 'a' ? { ...base, properties: { p: value } } : { ...base, properties: { p: value }, nonCpsLcmEvent: true };
    return base;
  });

const clock = { now: (): number => Date.UTC(2024, 4, 1) };

describe('cm-handle state machine', () => {
  it('walks the README table: register, sync, fail, retry, upgrade, deregister', () => {
    const engine = createNcmpEngine({ clock });
    const states = (id: string): string | undefined => engine.cmHandles().get(id)?.state;
    engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register' });
    expect(states('ch-1')).toBe('ADVISED');
    engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'module-sync-failed' });
    expect(engine.cmHandles().get('ch-1')?.lockReason).toBe('MODULE_SYNC_FAILED');
    engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'retry' });
    engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'module-sync-succeeded' });
    expect(states('ch-1')).toBe('READY');
    engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'upgrade', moduleSetTag: 'tag-2' });
    expect(engine.cmHandles().get('ch-1')?.lockReason).toBe('MODULE_UPGRADE');
    engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'retry' });
    engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'module-sync-succeeded' });
    // The inventory has the new tag (the READY event still shows the old one: events.test.ts).
    expect(engine.cmHandles().get('ch-1')?.moduleSetTag).toBe('tag-2');
    const records = engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'deregister' });
    expect(records).toHaveLength(2);
    expect(states('ch-1')).toBeUndefined();
    engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register' }); // a deleted id can come back
    expect(engine.records('ncmp-events').map((r) => JSON.parse(new TextDecoder().decode(r.value!)).eventType.split('.').pop())).toEqual([
      'create', 'update', 'update', 'update', 'update', 'update', 'update', 'update', 'delete', 'create',
    ]);
  });

  it('rejects impossible transitions with NSOMOCK_NCMP_INVALID_TRANSITION and publishes nothing', () => {
    const engine = createNcmpEngine({ clock });
    const attempt = (step: NcmpCmHandleStep): unknown => {
      try {
        engine.cmHandle(step);
        return undefined;
      } catch (e) {
        return e;
      }
    };
    const e1 = attempt({ cmHandleId: 'ch-1', trigger: 'module-sync-succeeded' });
    expect(e1).toBeInstanceOf(NcmpError);
    expect(e1).toMatchObject({ code: 'NSOMOCK_NCMP_INVALID_TRANSITION', details: { cmHandleId: 'ch-1', from: 'NONE', trigger: 'module-sync-succeeded' } });
    engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register', dataProducerIdentifier: 'dp' });
    expect(attempt({ cmHandleId: 'ch-1', trigger: 'register' })).toMatchObject({ details: { from: 'ADVISED' } });
    expect(attempt({ cmHandleId: 'ch-1', trigger: 'upgrade' })).toMatchObject({ code: 'NSOMOCK_NCMP_INVALID_TRANSITION' });
    expect(attempt({ cmHandleId: 'ch-1', trigger: 'set-data-producer-identifier', dataProducerIdentifier: 'dp' })).toMatchObject({
      code: 'NSOMOCK_NCMP_INVALID_TRANSITION',
    });
    expect(attempt({ cmHandleId: 'ch-1', trigger: 'set-data-producer-identifier' })).toMatchObject({ code: 'NSOMOCK_USAGE' });
    expect(engine.records('ncmp-events')).toHaveLength(1);
  });

  it('reports impossible transitions when the steps are validated, with the step index', () => {
    const problems = validateNcmpSteps([
      { 'ncmp-cm-handle': { cmHandleId: 'ch-1', trigger: 'register' } },
      { wait: 10 },
      { 'ncmp-cm-handle': { cmHandleId: 'ch-1', trigger: 'retry' } },
      { 'ncmp-cm-handle': { cmHandleId: 'ch-1', trigger: 'deregister', eventIds: ['a', 'b'] } },
      { 'ncmp-cm-handle': { cmHandleId: 'ch-1', trigger: 'deregister-complete' } },
      { 'ncmp-cm-handle': { cmHandleId: 'ch-2', trigger: 'explode' } },
      { 'ncmp-async-response': { format: 'legacy', topic: 'bad topic' } },
    ]);
    expect(problems.map((p) => [p.index, p.code])).toEqual([
      [2, 'NSOMOCK_NCMP_INVALID_TRANSITION'],
      [4, 'NSOMOCK_NCMP_INVALID_TRANSITION'],
      [5, 'NSOMOCK_USAGE'],
      [6, 'NSOMOCK_USAGE'],
    ]);
    expect(problems[0]?.message).toMatch(/^Failed to apply retry to cm-handle ch-1: .* \(state ADVISED, step 2\)$/);
  });

  it('lists the triggers each state accepts, as the README table says (for error messages)', () => {
    for (const from of Object.keys(TABLE) as From[]) {
      expect([...cmHandleTriggersFrom(from)].sort(), from).toEqual(Object.keys(TABLE[from]).sort());
    }
  });

  describe('properties', () => {
    it('allows exactly the README transitions; engine, validator and reducer agree; every event validates', () => {
      fc.assert(
        fc.property(fc.array(stepArb, { maxLength: 30 }), (steps) => {
          const model = new Map<string, ModelHandle>();
          const engine = createNcmpEngine({ clock, seed: 3 });
          const expectedRejected: number[] = [];
          steps.forEach((step, index) => {
            const handle = model.get(step.cmHandleId);
            const from: From = handle?.state ?? 'NONE';
            const rule = TABLE[from][step.trigger];
            const newValue = step.dataProducerIdentifier ?? JSON.stringify(step.properties);
            const changes =
              step.trigger === 'set-data-producer-identifier' ? handle?.dpi === undefined : step.trigger === 'update-properties' ? handle?.props !== newValue : true;
            const allowed = rule !== undefined && changes;
            const before = engine.records('ncmp-events').length;
            let threw: unknown;
            try {
              engine.cmHandle(step);
            } catch (e) {
              threw = e;
            }
            if (!allowed) {
              expectedRejected.push(index);
              expect(threw).toMatchObject({ code: 'NSOMOCK_NCMP_INVALID_TRANSITION' });
              expect(engine.records('ncmp-events')).toHaveLength(before);
              return;
            }
            expect(threw).toBeUndefined();
            const silent = step.trigger === 'update-properties' && step.nonCpsLcmEvent !== true;
            const targets = silent ? [] : rule === 'attr' ? [from as CmHandleState] : (rule as readonly CmHandleState[]);
            const produced = engine.records('ncmp-events', before);
            expect(produced).toHaveLength(targets.length);
            let previous: From = from;
            produced.forEach((record, i) => {
              const event = JSON.parse(new TextDecoder().decode(record.value!));
              expect(checkNcmpSchema(step.lcmSchemaVersion === 'v2' ? 'lcm-event-v2' : 'lcm-event-v1', event)).toEqual([]);
              expect(new TextDecoder().decode(record.key!)).toBe(step.cmHandleId);
              const target = targets[i]!;
              const kind = previous === 'NONE' ? 'create' : target === 'DELETED' ? 'delete' : 'update';
              expect(event.eventType).toBe(`org.onap.ncmp.cmhandle-lcm-event.${kind}`);
              if (kind === 'update' && target !== previous) {
                expect(event.event.oldValues.cmHandleState).toBe(previous);
                expect(event.event.newValues.cmHandleState).toBe(target);
              }
              previous = target;
            });
            const last = targets.at(-1) ?? (from as CmHandleState);
            if (last === 'DELETED') model.delete(step.cmHandleId);
            else
              model.set(step.cmHandleId, {
                state: last,
                dpi: step.trigger === 'set-data-producer-identifier' ? newValue : step.trigger === 'register' ? undefined : handle?.dpi,
                props: step.trigger === 'update-properties' ? newValue : step.trigger === 'register' ? JSON.stringify({}) : (handle?.props ?? '{}'),
              });
            expect(engine.cmHandles().get(step.cmHandleId)?.state).toBe(model.get(step.cmHandleId)?.state);
          });
          const validated = validateNcmpSteps(steps.map((s) => ({ 'ncmp-cm-handle': s })));
          expect(validated.map((p) => p.index)).toEqual(expectedRejected);
          expect(validated.every((p) => p.code === 'NSOMOCK_NCMP_INVALID_TRANSITION')).toBe(true);
        }),
        { numRuns: fcRuns(0.5) },
      );
    });

    it('cmHandleTriggersFrom(state) names exactly the triggers the reducer accepts from that state (with a new value)', () => {
      fc.assert(
        fc.property(fc.array(stepArb, { maxLength: 20 }), fc.constantFrom(...cmHandleTriggerNames), (steps, probe) => {
          let handle: CmHandle | undefined;
          for (const step of steps.filter((s) => s.cmHandleId === 'ch-1')) {
            const r = applyCmHandleTrigger(handle, 'ch-1', step.trigger === 'set-data-producer-identifier'
              ? { trigger: step.trigger, dataProducerIdentifier: step.dataProducerIdentifier ?? '' }
              : step.trigger === 'update-properties'
                ? { trigger: step.trigger, properties: step.properties ?? {} }
                : ({ trigger: step.trigger } as never));
            if (r.ok) handle = r.handle;
          }
          const fresh = probe === 'set-data-producer-identifier'
            ? { trigger: probe, dataProducerIdentifier: 'never-used-before' }
            : probe === 'update-properties'
              ? { trigger: probe, properties: { 'never-used': 'before' } }
              : ({ trigger: probe } as never);
          const accepted = applyCmHandleTrigger(handle, 'ch-1', fresh).ok;
          // A dataProducerIdentifier is accepted once (CPS keeps the first); the list names the trigger regardless.
          const dpiTaken = probe === 'set-data-producer-identifier' && handle !== undefined && handle.dataProducerIdentifier !== '';
          expect(accepted).toBe(cmHandleTriggersFrom(handle?.state ?? 'NONE').includes(probe) && !dpiTaken);
        }),
        { numRuns: fcRuns() },
      );
    });

    it('never mutates the handle it is given', () => {
      fc.assert(
        fc.property(fc.array(stepArb, { maxLength: 15 }), (steps) => {
          let handle: CmHandle | undefined;
          for (const step of steps.filter((s) => s.cmHandleId === 'ch-1')) {
            const snapshot = JSON.stringify(handle);
            const r = applyCmHandleTrigger(handle, 'ch-1', step.trigger === 'set-data-producer-identifier'
              ? { trigger: step.trigger, dataProducerIdentifier: step.dataProducerIdentifier ?? '' }
              : step.trigger === 'update-properties'
                ? { trigger: step.trigger, properties: step.properties ?? {} }
                : ({ trigger: step.trigger } as Parameters<typeof applyCmHandleTrigger>[2]));
            expect(JSON.stringify(handle)).toBe(snapshot);
            if (r.ok) handle = r.handle;
          }
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});
