/**
 * Client → server acks (PROTOCOL.md §12.1): `{TH, done}`, `{Usid, synced}`,
 * `{Usid, audit_network_sync}` and the bare atom `ha_synced`. Decoded by value, so C (UTF-8
 * atoms), Java (ATOM_EXT, SMALL_BIG integers) and econfd encodings all give the same `Ack`.
 */
import { formatTerm } from '../term-format.js';
import { atom, int, tuple, type Term } from '../term.js';

/** The four ack kinds. */
export type AckKind = 'diff-done' | 'audit-synced' | 'audit-network-synced' | 'ha-synced';

/** A decoded ack. */
export type Ack =
  | { readonly kind: 'diff-done'; readonly th: number }
  | { readonly kind: 'audit-synced'; readonly usid: number }
  | { readonly kind: 'audit-network-synced'; readonly usid: number }
  | { readonly kind: 'ha-synced' };

/** What a server waits for after a notification; the same shape as the `Ack` that settles it. */
export type PendingAckKey = Ack;

const SECOND_ATOM: Readonly<Record<string, 'diff-done' | 'audit-synced' | 'audit-network-synced'>> = {
  done: 'diff-done',
  synced: 'audit-synced',
  audit_network_sync: 'audit-network-synced',
};

/**
 * Reads an ack; `undefined` when the term is no ack of §12.1 (the caller records a violation, §17).
 * @example ackFromTerm(decodeTerm(bytes)) // { kind: 'diff-done', th: 17 }
 */
export function ackFromTerm(term: Term): Ack | undefined {
  if (term.kind === 'atom') return term.name === 'ha_synced' ? { kind: 'ha-synced' } : undefined;
  if (term.kind !== 'tuple' || term.elements.length !== 2) return undefined;
  const [id, what] = term.elements;
  if (id?.kind !== 'integer' || typeof id.value !== 'number' || what?.kind !== 'atom') return undefined;
  const kind = Object.prototype.hasOwnProperty.call(SECOND_ATOM, what.name) ? SECOND_ATOM[what.name] : undefined;
  switch (kind) {
    case 'diff-done':
      return { kind, th: id.value };
    case 'audit-synced':
    case 'audit-network-synced':
      return { kind, usid: id.value };
    default:
      return undefined;
  }
}

/** The term a client sends (§12.1). */
export function ackToTerm(ack: Ack): Term {
  switch (ack.kind) {
    case 'diff-done':
      return tuple(int(ack.th), atom('done'));
    case 'audit-synced':
      return tuple(int(ack.usid), atom('synced'));
    case 'audit-network-synced':
      return tuple(int(ack.usid), atom('audit_network_sync'));
    case 'ha-synced':
      return atom('ha_synced');
  }
}

/**
 * The ack in Erlang syntax, exactly the term the client sends (§12.1), for messages and tables.
 * @example
 *   formatAck({ kind: 'diff-done', th: 17 }) // => '{17,done}'
 */
export function formatAck(ack: Ack): string {
  return formatTerm(ackToTerm(ack));
}

/**
 * A string key for maps of pending acks: `diff-done:17`, `audit-synced:42`, `ha-synced`.
 * @example pending.set(ackKeyString(key), deadline)
 */
export function ackKeyString(ack: Ack): string {
  switch (ack.kind) {
    case 'diff-done':
      return `diff-done:${ack.th}`;
    case 'audit-synced':
    case 'audit-network-synced':
      return `${ack.kind}:${ack.usid}`;
    case 'ha-synced':
      return 'ha-synced';
  }
}
