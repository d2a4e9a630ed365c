/**
 * The cm-handle state machine of CPS-NCMP as a pure reducer: `applyCmHandleTrigger(handle, trigger)`
 * returns the next handle and one {@link CmHandleTransition} per LCM event CPS would publish, or a
 * rejection. It never touches ids, clocks or topics; lcm-event.ts turns transitions into events.
 *
 * Source: shared/schemas/ncmp/README.md, "Cm-handle state machine and the LCM event each transition
 * produces" (CPS master). Trigger names are the mock's; the README's trigger column is in brackets.
 *
 * ```
 *              register [registration]                   CREATE
 *   (none) ───────────────────────────────▶ ADVISED
 *              module-sync-succeeded [module sync succeeds] UPDATE
 *   ADVISED ──────────────────────────────▶ READY         (dataSyncEnabled false; after an upgrade the
 *                                                          event keeps the old moduleSetTag)
 *              module-sync-failed [module sync fails]     UPDATE
 *   ADVISED ──────────────────────────────▶ LOCKED        (lock reason MODULE_SYNC_FAILED, not in the event)
 *              retry [watchdog retry]                     UPDATE
 *   LOCKED  ──────────────────────────────▶ ADVISED
 *              upgrade [module upgrade]                   UPDATE
 *   READY   ──────────────────────────────▶ LOCKED        (then retry → ADVISED → READY, or LOCKED again)
 *              deregister-begin [deregistration, step 1]  UPDATE
 *   ADVISED|READY|LOCKED ─────────────────▶ DELETING
 *              deregister-complete [deregistration, step 2] DELETE
 *   DELETING ─────────────────────────────▶ DELETED ─▶ (none): the id may be registered again
 *              deregister = deregister-begin + deregister-complete (two events, as CPS's API does)
 *              set-data-producer-identifier [dataProducerIdentifier set]  UPDATE, no state change
 *              update-properties [public properties changed]  no event (CPS sends none), no state change;
 *                                                             UPDATE only with the non-CPS opt-in
 * ```
 *
 * What CPS does that shapes the events (CPS master, cps-ncmp-service):
 * - `YangModelCmHandle` stores alternateId, moduleSetTag and dataProducerIdentifier through
 *   `StringUtils.trimToEmpty`: unset is `""`, never null, and values are trimmed.
 * - `LcmEventsCmHandleStateHandlerImpl` moves a handle to READY through
 *   `CompositeStateUtils.setInitialDataStoreSyncState`, which sets dataSyncEnabled to false.
 * - After a module upgrade, the module sync writes the new moduleSetTag to the database only; the
 *   in-memory handle the state handler publishes READY with keeps the old tag. The handle the next
 *   event reads from the database has the new one.
 * - `CmHandleRegistrationServicePropertyHandler` ignores a blank dataProducerIdentifier and keeps
 *   one that is already set (it logs a warning); it updates public properties without an LCM event.
 *
 * Rejected (CPS publishes nothing for these, or they cannot happen): any trigger on a handle that
 * does not exist except `register`; `register` of an existing handle; a trigger from a state the
 * table has no arrow from; a change to the value a handle already has ("setting the state a handle
 * already has" publishes no event, so a step asking for it is a scenario mistake).
 */

/** CPS's `CmHandleState` values, as they appear in LCM events. */
export type CmHandleState = 'ADVISED' | 'READY' | 'LOCKED' | 'DELETING' | 'DELETED';

/** Why a handle is LOCKED. CPS keeps it in the inventory but never puts it in an LCM event. */
export type LockReason = 'MODULE_SYNC_FAILED' | 'MODULE_UPGRADE' | 'MODULE_UPGRADE_FAILED';

/** What NCMP knows about a cm-handle: the attributes LCM events report, plus the lock reason. */
export interface CmHandle {
  readonly cmHandleId: string;
  readonly state: CmHandleState;
  /** Unset (null in events) until the first module sync, where CPS sets it to false. */
  readonly dataSyncEnabled?: boolean;
  /** `""` when unset, as CPS stores it (trimToEmpty). */
  readonly alternateId: string;
  /** `""` when unset, as CPS stores it (trimToEmpty). */
  readonly moduleSetTag: string;
  /** `""` when unset, as CPS stores it (trimToEmpty). */
  readonly dataProducerIdentifier: string;
  /** Public cm-handle properties (`cmHandleProperties` in the events). */
  readonly properties: Readonly<Record<string, string>>;
  readonly lockReason?: LockReason;
  /** The moduleSetTag an `upgrade` asked for; applied when the module sync after it succeeds. */
  readonly pendingModuleSetTag?: string;
}

/** The triggers a scenario can apply to a cm-handle. */
export type CmHandleTrigger =
  | {
      readonly trigger: 'register';
      readonly alternateId?: string;
      readonly moduleSetTag?: string;
      readonly dataProducerIdentifier?: string;
      readonly properties?: Readonly<Record<string, string>>;
    }
  | {
      readonly trigger: 'module-sync-succeeded';
      /** Only `false` is possible: CPS starts every READY handle with data sync off. */
      readonly dataSyncEnabled?: false;
    }
  | { readonly trigger: 'module-sync-failed' }
  | { readonly trigger: 'retry' }
  | { readonly trigger: 'upgrade'; readonly moduleSetTag?: string }
  | { readonly trigger: 'deregister' }
  | { readonly trigger: 'deregister-begin' }
  | { readonly trigger: 'deregister-complete' }
  | { readonly trigger: 'set-data-producer-identifier'; readonly dataProducerIdentifier: string }
  | {
      readonly trigger: 'update-properties';
      readonly properties: Readonly<Record<string, string>>;
      /**
       * NOT CPS behaviour: also report the change with an UPDATE carrying the cmHandleProperties
       * delta. CPS publishes no LCM event for a property update; this opt-in exists for consumers
       * that must cope with one.
       */
      readonly nonCpsLcmEvent?: boolean;
    };

/** The trigger names, in the diagram's order. */
export type CmHandleTriggerName = CmHandleTrigger['trigger'];

/** Every trigger name (for schemas, docs and property tests). */
export const cmHandleTriggerNames: readonly CmHandleTriggerName[] = [
  'register',
  'module-sync-succeeded',
  'module-sync-failed',
  'retry',
  'upgrade',
  'deregister',
  'deregister-begin',
  'deregister-complete',
  'set-data-producer-identifier',
  'update-properties',
];

/** One state change CPS reports with one LCM event: `current` undefined means CREATE. */
export interface CmHandleTransition {
  readonly current: CmHandle | undefined;
  readonly target: CmHandle;
}

/** A trigger the state machine does not allow. */
export interface CmHandleRejection {
  readonly cmHandleId: string;
  /** The state the handle was in, `NONE` if it did not exist. */
  readonly from: CmHandleState | 'NONE';
  readonly trigger: CmHandleTriggerName;
  readonly reason: string;
}

/** The outcome of {@link applyCmHandleTrigger}. */
export type CmHandleTriggerResult =
  | {
      readonly ok: true;
      /** The handle afterwards; undefined once it is DELETED (CPS removes it from the inventory). */
      readonly handle: CmHandle | undefined;
      /**
       * One per LCM event, in publish order (none for a property update). A transition's target is
       * the handle as the event shows it, which after a module upgrade is not `handle`.
       */
      readonly transitions: readonly CmHandleTransition[];
    }
  | { readonly ok: false; readonly rejection: CmHandleRejection };

function reject(cmHandleId: string, handle: CmHandle | undefined, trigger: CmHandleTriggerName, reason: string): CmHandleTriggerResult {
  return { ok: false, rejection: { cmHandleId, from: handle?.state ?? 'NONE', trigger, reason } };
}

/** Attribute changes; an explicit undefined clears the attribute. */
type CmHandleChanges = { readonly [K in keyof CmHandle]?: CmHandle[K] | undefined };

function withState(handle: CmHandle, state: CmHandleState, changes: CmHandleChanges = {}): CmHandle {
  const next: Record<string, unknown> = { ...handle, ...changes, state };
  // exactOptionalPropertyTypes: an attribute that is cleared must be absent, not undefined.
  for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
  return next as unknown as CmHandle;
}

function sameProperties(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/**
 * Java's `String.trim()` (what `StringUtils.trimToEmpty` calls): strips every char up to U+0020
 * from both ends, and nothing else (no Unicode spaces). Undefined gives `""`, as trimToEmpty(null).
 * @example javaTrim(' \tME=1\n') // 'ME=1'
 */
export function javaTrim(value: string | undefined): string {
  if (value === undefined) return '';
  let start = 0;
  let end = value.length;
  while (start < end && value.charCodeAt(start) <= 0x20) start += 1;
  while (end > start && value.charCodeAt(end - 1) <= 0x20) end -= 1;
  return value.slice(start, end);
}

function single(handle: CmHandle, target: CmHandle): CmHandleTriggerResult {
  return { ok: true, handle: target, transitions: [{ current: handle, target }] };
}

/**
 * Applies one trigger to a cm-handle (pure; `handle` is not modified).
 * @param handle the handle's current record, or undefined if NCMP does not know the id.
 * @example
 *   const r = applyCmHandleTrigger(undefined, 'ch-1', { trigger: 'register' });
 *   // r.ok && r.handle.state === 'ADVISED' && r.transitions.length === 1 (a CREATE)
 */
export function applyCmHandleTrigger(handle: CmHandle | undefined, cmHandleId: string, trigger: CmHandleTrigger): CmHandleTriggerResult {
  const name = trigger.trigger;
  if (handle === undefined && name !== 'register') {
    return reject(cmHandleId, handle, name, 'the cm-handle is not registered');
  }
  switch (trigger.trigger) {
    case 'register': {
      if (handle !== undefined) return reject(cmHandleId, handle, name, `the cm-handle is already registered (${handle.state})`);
      // YangModelCmHandle.toYangModelCmHandle: trimToEmpty on the three string attributes.
      const target: CmHandle = {
        cmHandleId,
        state: 'ADVISED',
        alternateId: javaTrim(trigger.alternateId),
        moduleSetTag: javaTrim(trigger.moduleSetTag),
        dataProducerIdentifier: javaTrim(trigger.dataProducerIdentifier),
        properties: { ...(trigger.properties ?? {}) },
      };
      return { ok: true, handle: target, transitions: [{ current: undefined, target }] };
    }
    case 'module-sync-succeeded': {
      const h = handle as CmHandle;
      if (h.state !== 'ADVISED') return reject(cmHandleId, h, name, `module sync runs only on ADVISED handles, not ${h.state}`);
      // CompositeStateUtils.setInitialDataStoreSyncState: dataSyncEnabled false, always.
      const ready = withState(h, 'READY', { dataSyncEnabled: false, lockReason: undefined, pendingModuleSetTag: undefined });
      if (h.pendingModuleSetTag === undefined) return single(h, ready);
      // After an upgrade the new tag goes to the database only: READY is published with the old tag,
      // and the inventory (what the next event starts from) has the new one.
      return { ok: true, handle: { ...ready, moduleSetTag: h.pendingModuleSetTag }, transitions: [{ current: h, target: ready }] };
    }
    case 'module-sync-failed': {
      const h = handle as CmHandle;
      if (h.state !== 'ADVISED') return reject(cmHandleId, h, name, `module sync runs only on ADVISED handles, not ${h.state}`);
      const reason: LockReason = h.pendingModuleSetTag !== undefined || h.lockReason === 'MODULE_UPGRADE' ? 'MODULE_UPGRADE_FAILED' : 'MODULE_SYNC_FAILED';
      return single(h, withState(h, 'LOCKED', { lockReason: reason }));
    }
    case 'retry': {
      const h = handle as CmHandle;
      if (h.state !== 'LOCKED') return reject(cmHandleId, h, name, `the watchdog retries only LOCKED handles, not ${h.state}`);
      return single(h, withState(h, 'ADVISED', h.lockReason === 'MODULE_UPGRADE' ? {} : { lockReason: undefined }));
    }
    case 'upgrade': {
      const h = handle as CmHandle;
      if (h.state !== 'READY') return reject(cmHandleId, h, name, `only READY handles can be upgraded, not ${h.state}`);
      return single(h, withState(h, 'LOCKED', { lockReason: 'MODULE_UPGRADE', pendingModuleSetTag: trigger.moduleSetTag === undefined ? undefined : javaTrim(trigger.moduleSetTag) }));
    }
    case 'deregister-begin':
    case 'deregister': {
      const h = handle as CmHandle;
      if (h.state === 'DELETING' || h.state === 'DELETED') return reject(cmHandleId, h, name, `the cm-handle is already ${h.state}`);
      const deleting = withState(h, 'DELETING');
      if (trigger.trigger === 'deregister-begin') return single(h, deleting);
      const deleted = withState(deleting, 'DELETED');
      return { ok: true, handle: undefined, transitions: [{ current: h, target: deleting }, { current: deleting, target: deleted }] };
    }
    case 'deregister-complete': {
      const h = handle as CmHandle;
      if (h.state !== 'DELETING') return reject(cmHandleId, h, name, `only DELETING handles can be deleted, not ${h.state}`);
      return { ok: true, handle: undefined, transitions: [{ current: h, target: withState(h, 'DELETED') }] };
    }
    case 'set-data-producer-identifier': {
      const h = handle as CmHandle;
      if (h.state === 'DELETING') return reject(cmHandleId, h, name, 'the cm-handle is being deleted');
      const dpi = javaTrim(trigger.dataProducerIdentifier);
      if (dpi === '') return reject(cmHandleId, h, name, 'the dataProducerIdentifier is blank; CPS ignores a blank one and publishes no event');
      if (h.dataProducerIdentifier === dpi) {
        return reject(cmHandleId, h, name, `dataProducerIdentifier is already ${JSON.stringify(dpi)}; CPS publishes no event`);
      }
      if (h.dataProducerIdentifier !== '') {
        return reject(cmHandleId, h, name, `dataProducerIdentifier is already set to ${JSON.stringify(h.dataProducerIdentifier)}; CPS keeps it (a warning in its log) and publishes no event`);
      }
      return single(h, withState(h, h.state, { dataProducerIdentifier: dpi }));
    }
    case 'update-properties': {
      const h = handle as CmHandle;
      if (h.state === 'DELETING') return reject(cmHandleId, h, name, 'the cm-handle is being deleted');
      if (sameProperties(h.properties, trigger.properties)) return reject(cmHandleId, h, name, 'the properties are unchanged');
      const updated = withState(h, h.state, { properties: { ...trigger.properties } });
      // CPS updates public properties in the inventory only: no LCM event, unless the non-CPS opt-in asks for one.
      return trigger.nonCpsLcmEvent === true ? single(h, updated) : { ok: true, handle: updated, transitions: [] };
    }
    default: {
      const never: never = trigger;
      return reject(cmHandleId, handle, (never as { trigger: CmHandleTriggerName }).trigger, 'unknown trigger');
    }
  }
}

/** The state of many cm-handles, by id (what the engine and the step validator carry). */
export type CmHandleInventory = ReadonlyMap<string, CmHandle>;

/** The triggers with an arrow out of each state (the diagram above); `NONE` = not registered. */
const TRIGGERS_FROM: Readonly<Record<CmHandleState | 'NONE', readonly CmHandleTriggerName[]>> = {
  NONE: ['register'],
  ADVISED: ['module-sync-succeeded', 'module-sync-failed', 'deregister', 'deregister-begin', 'set-data-producer-identifier', 'update-properties'],
  READY: ['upgrade', 'deregister', 'deregister-begin', 'set-data-producer-identifier', 'update-properties'],
  LOCKED: ['retry', 'deregister', 'deregister-begin', 'set-data-producer-identifier', 'update-properties'],
  DELETING: ['deregister-complete'],
  // CPS removes a DELETED handle at once: its id is `NONE` again.
  DELETED: [],
};

/**
 * The triggers a handle in `state` accepts (`set-data-producer-identifier` only while none is set,
 * `update-properties` only with properties that differ), for error messages that say what would
 * have been possible.
 * @example cmHandleTriggersFrom('LOCKED') // ['retry', 'deregister', 'deregister-begin', …]
 */
export function cmHandleTriggersFrom(state: CmHandleState | 'NONE'): readonly CmHandleTriggerName[] {
  return TRIGGERS_FROM[state];
}
