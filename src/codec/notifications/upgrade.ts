/**
 * Upgrade event — bit 32768 — PROTOCOL.md §11.13 [V57]: `{32768, Event}`.
 */
import { tuple, type Term } from '../term.js';
import { enumValue, onlyKeys, record } from './input.js';
import { at, bitTerm, intTerm, readInt, unencodable, type PythonDict } from './layout.js';
import { NOTIF, UPGRADE_EVENTS, type UpgradeInput, type UpgradeNotification } from './notification.js';

/** `{32768, Event}`. */
export function upgradeToTerm(n: UpgradeNotification): Term {
  return tuple(bitTerm(NOTIF.UPGRADE_EVENT), intTerm(n.event));
}

/** Reads the 2-tuple. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function upgradeFromTerm(e: readonly Term[]): UpgradeNotification {
  return { type: 'upgrade', event: readInt(at(e, 1, 'event'), 'event') };
}

/** `event` is required (init-started, init-succeeded, performed, commited, aborted). @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` */
export function normalizeUpgrade(input: UpgradeInput): UpgradeNotification {
  onlyKeys(record(input, ''), '', ['type', 'event']);
  if (input.event === undefined) throw unencodable('event', 'upgrade needs an event (e.g. init-started)');
  return { type: 'upgrade', event: enumValue(UPGRADE_EVENTS, input.event, 'event') };
}

/** Python `upgrade`: `event`. */
export function upgradePython(n: UpgradeNotification): PythonDict {
  return { type: NOTIF.UPGRADE_EVENT, upgrade: { event: n.event } };
}
