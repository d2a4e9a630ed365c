/**
 * A client's protocol mistake is a value, not an exception (STYLE.md §3): it is recorded in
 * `server.violations`, emitted as a `'violation'` event and closes at most that one connection.
 * The codes follow the "mock action" column of PROTOCOL.md §17, the ack rules of §12.4 and the
 * timeouts of §20.
 */

/** Every violation code, with the rule it enforces. */
export const VIOLATION_CODES = {
  'header-timeout': 'Fewer than 9 header bytes arrived within the init window (§1.2, §17).',
  'subscribe-timeout': 'No subscription frame arrived within the init window after the version reply (§1.2).',
  'bad-header': 'The connect header is malformed: bit 6 (challenge v2) without bit 7 (§2, §17).',
  'bad-version': 'Strict mode: the protocol version is not in the allow-list; status 1 was sent (§4.3, §17).',
  'access-denied': 'The IPC access check failed: wrong digest, wrong response byte, or no challenge asked while required (§3, §17).',
  'bad-frame-length': 'A frame length prefix was 0 or larger than maxFrameBytes (§5, §17).',
  'bad-term': 'A frame payload is not one valid Erlang term, or has trailing bytes in strict mode (§6, §17).',
  'bad-subscription': 'The first frame is not a subscription of the §8.1 shape (§17).',
  'stream-refused': 'The stream subscription named an unknown stream or user session, or its XPath filter does not compile; the §8.4 error reply was sent (§14, §17).',
  'zero-interval': 'Strict mode: a heartbeat or health-check bit with interval 0 (§13, §17).',
  'second-subscription': 'A second subscription term on a subscribed connection (§17).',
  'bad-ack': 'A frame after the subscription is not an ack of any §12.1 shape (§17).',
  'ack-unsubscribed': 'An ack for a notification type the connection did not subscribe to (§12.4).',
  'ack-without-flag': 'An audit, audit-network or HA ack while the sync flag is not in the mask (§12.4).',
  'ack-unknown-handle': 'An ack for a transaction handle or user session nothing is waiting for (§12.4).',
  'ack-duplicate': 'A second ack for a handshake this connection already acknowledged (§12.4).',
  'ack-late': 'An ack that arrived after its event-reply-timeout had fired (§20).',
  'ack-timeout': 'A required ack did not arrive within event-reply-timeout; the connection was closed (§20).',
  'ack-missing': 'The connection closed while acks were still required of it; they were released (§12.3).',
  'write-stall': 'A write to the client stayed blocked longer than the write-stall limit (§1.2, §20).',
  'output-overflow': 'The output queued for a slow client exceeded highWaterMarkBytes.',
  'input-overflow': 'The incomplete input (partial headers and frames) held for all connections would exceed maxBufferedInputBytes with this one; it was closed.',
  'maapi-unsupported': 'A MAAPI request for an op outside the mock\'s subset; it got an error reply naming the op (MAAPI.md §M7), the connection stays open.',
  'input-stall': 'An incomplete header or frame received no further byte for longer than inputStallTimeoutMs (before or after the subscription); it was closed.',
  internal: 'The server failed to process the input (a bug in nso-mock, not the client); the connection was closed.',
} as const;

/** A violation code (the keys of {@link VIOLATION_CODES}). */
export type ViolationCode = keyof typeof VIOLATION_CODES;

/** Every violation code, in registry order. */
export const violationCodes: readonly ViolationCode[] = Object.keys(VIOLATION_CODES) as ViolationCode[];

/** One protocol mistake of one connection. */
export interface Violation {
  readonly code: ViolationCode;
  /** The connection (= subscriber id) that made it. */
  readonly connectionId: number;
  /** What the protocol required, in words or Erlang syntax. */
  readonly expected: string;
  /** What the client did, in words or Erlang syntax. */
  readonly actual: string;
  /** `clock.now()` when it was detected. */
  readonly time: number;
  /** Whether the server closed the connection because of it. */
  readonly closed: boolean;
}

/**
 * Builds a {@link Violation}.
 * @example
 *   violation('bad-term', 3, 'a term starting with 131', '0x00 0x01', clock.now(), true)
 */
export function violation(
  code: ViolationCode,
  connectionId: number,
  expected: string,
  actual: string,
  time: number,
  closed: boolean,
): Violation {
  return { code, connectionId, expected, actual, time, closed };
}

/** One line for logs: `connection 3: bad-term (expected …, got …)`. */
export function formatViolation(v: Violation): string {
  return `connection ${v.connectionId}: ${v.code} (expected ${v.expected}, got ${v.actual})${v.closed ? ', closed' : ''}`;
}
