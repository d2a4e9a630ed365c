/**
 * Heartbeat, health check, package reload, reopen logs — PROTOCOL.md §11.11: the 1-tuples
 * `{8192}`, `{262144}`, `{2097152}`, `{8388608}` (decoders read element 1 only, so extra elements
 * are tolerated on decode).
 */
import { tuple, type Term } from '../term.js';
import { onlyKeys, record } from './input.js';
import { bitTerm, type PythonDict } from './layout.js';
import { NOTIF, type BareInput, type BareNotification, type BareType } from './notification.js';

/** The type bit of each bare type (§10.1). */
export const BARE_BITS: Readonly<Record<BareType, number>> = {
  heartbeat: NOTIF.HEARTBEAT,
  'health-check': NOTIF.HEALTH_CHECK,
  'package-reload': NOTIF.PACKAGE_RELOAD,
  'reopen-logs': NOTIF.REOPEN_LOGS,
};

/** `{Bit}`. */
export function bareToTerm(n: BareNotification): Term {
  return tuple(bitTerm(BARE_BITS[n.type]));
}

/** Anything after element 1 is ignored, as every decoder does. */
export function bareFromTerm(type: BareType): BareNotification {
  return { type };
}

/** Nothing to default. @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` on unknown fields */
export function normalizeBare(input: BareInput): BareNotification {
  onlyKeys(record(input, ''), '', ['type']);
  return { type: input.type };
}

/** Python: only `type`. */
export function barePython(n: BareNotification): PythonDict {
  return { type: BARE_BITS[n.type] };
}
