import { NsoMockError, type NsoMockErrorCode } from '../codec/errors.js';

/**
 * Where an NCMP error happened. Every field is optional because the same class serves the state
 * machine (cmHandleId, from, trigger, stepIndex), the schema check (schema, problems) and the
 * delivery paths (topic, brokers).
 */
export interface NcmpErrorDetails {
  readonly cmHandleId?: string;
  /** The cm-handle state before the rejected trigger (`NONE` when the handle does not exist). */
  readonly from?: string;
  readonly trigger?: string;
  /** Index of the offending step in the scenario's step list. */
  readonly stepIndex?: number;
  /** `$id` of the schema an event failed. */
  readonly schema?: string;
  /** Human-readable validation problems (Ajv's instancePath + message). */
  readonly problems?: readonly string[];
  readonly topic?: string;
  readonly brokers?: readonly string[];
}

/**
 * The error the NCMP event family throws (codes `NSOMOCK_NCMP_*`, see docs/errors.md). It lives
 * here and not in the codec because `src/ncmp` is an independent sibling: it imports only the
 * shared error registry.
 * @example
 *   try { engine.cmHandle(step) } catch (e) { if (e instanceof NcmpError && e.code === 'NSOMOCK_NCMP_INVALID_TRANSITION') ... }
 */
export class NcmpError extends NsoMockError<NcmpErrorDetails> {
  constructor(code: NsoMockErrorCode, message: string, details: NcmpErrorDetails, cause?: unknown) {
    super(code, message, cause === undefined ? { details } : { details, cause });
  }
}
