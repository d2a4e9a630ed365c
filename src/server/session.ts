/**
 * The session reducer: `step(state, input, config) -> { state, effects }`, pure (no sockets, no
 * timers, no randomness, no clock). One `switch` on the input kind dispatches; the states and their
 * transitions are drawn in session-state.ts. connection.ts is the shell that feeds it.
 */
import {
  ackFromTerm,
  accessCheckVersionOf,
  challengeLength,
  checkChallengeResponse,
  CLIENT_TYPE_EVENT_MANAGER,
  CONNECT_HEADER_BYTES,
  decodeConnectHeader,
  encodeChallenge,
  encodeVersionReply,
  formatTerm,
  NSO57_LIBRARY_VERSION,
  NSO57_PROTOCOL_VERSION,
  SUBSCRIBE_OK,
  subscribeErrorTerm,
  subscriptionFromTerm,
  versionReplyFor,
  profileForProtocolVersion,
  type ConnectHeader,
  type Profile,
  type StreamRequest,
  type Subscription,
  type Term,
} from '../codec/index.js';
import type { CloseReason, ConnectionProfileChoice, SessionEffect, SessionInput, SessionState, SessionStep } from './session-state.js';
import { BIT, checkAckAgainstMask } from './subscriptions.js';

/** The answer of {@link SessionConfig.checkStream}: accept, or refuse with a §8.4 error code. */
export type StreamCheck = { readonly ok: true } | { readonly ok: false; readonly code: number; readonly reason: string };

/** The server options a session needs (resolved, no defaults left). */
export interface SessionConfig {
  /** The IPC access-check secret (§3); undefined = the check is off. */
  readonly accessSecret: Uint8Array | undefined;
  /** Strict mode (§17): close on the conditions a lenient mock tolerates. */
  readonly strict: boolean;
  /** The init window for the header and the subscription (§1.2). */
  readonly initTimeoutMs: number;
  /** Heartbeat and health-check intervals are raised to at least this (§13; NSO uses 1000). */
  readonly minHeartbeatIntervalMs: number;
  /** A layout profile forced on every connection (§0.4); undefined = per connection, from the client's protocol version. */
  readonly profile: Profile | undefined;
  /** Picks the profile from the client's protocol version (§4.3, §16) before the codec's table; undefined = use the table. */
  readonly profileForProtocolVersion: ((protocolVersion: number) => Profile | undefined) | undefined;
  /** Strict mode only: protocol versions accepted; others get status 1 (§4.3). Undefined = all. */
  readonly allowedProtocolVersions: readonly number[] | undefined;
  /** Validates a stream request (§14, §8.4: unknown stream → 1, filter that does not compile → 50, unknown usid → 22). */
  readonly checkStream: (request: StreamRequest) => StreamCheck;
  /**
   * Client types (other than 11) that a handler takes over after the header, access check and
   * version reply (MAAPI.md §M1: type 7, MAAPI). Any other type is closed at once (§2, §17).
   */
  readonly handedOffClientTypes: ReadonlySet<number>;
}

const BAD_SUBSCRIPTION_CODE = 21; // CONFD_ERR_PROTOUSAGE, §8.4 / §A.2
const CHALLENGE_RESPONSE_BYTE = 12; // §3.2
const ACCESS_OK_BYTES = Uint8Array.of(0); // §3.2
const ACCESS_DENIED_BYTES = Uint8Array.of(1); // §3.4

/**
 * How many unframed bytes the session is waiting for, or undefined when it reads frames (§5).
 * @example
 *   rawBytesWanted(initialSessionState(1)) // 9
 */
export function rawBytesWanted(state: SessionState): number | undefined {
  switch (state.phase) {
    case 'await-header':
      return CONNECT_HEADER_BYTES;
    case 'await-challenge-response':
      return state.access === undefined ? undefined : 1 + state.access.challenge.length;
    default:
      return undefined;
  }
}

/**
 * Advances a session by one input.
 * @example
 *   const { state, effects } = step(initialSessionState(1), { kind: 'header', bytes, entropy }, config);
 */
export function step(state: SessionState, input: SessionInput, config: SessionConfig): SessionStep {
  if (state.phase === 'closed') return { state, effects: [] };
  switch (input.kind) {
    case 'accepted':
      // §1.2: the init window starts at accept.
      if (state.phase !== 'await-header' || config.initTimeoutMs <= 0) return { state, effects: [] };
      return { state, effects: [{ kind: 'set-timer', timer: 'init', delayMs: config.initTimeoutMs }] };
    case 'header-start':
      return onHeaderStart(state, input.byte, config);
    case 'header':
      return onHeader(state, input.bytes, input.entropy, config);
    case 'challenge-response':
      return onChallengeResponse(state, input.bytes, config);
    case 'frame':
      return onFrame(state, input.term, config);
    case 'bad-frame':
      // §17: bad length / bad term → close that connection only. In `closing` the input is moot.
      if (state.phase === 'closing') return { state, effects: [] };
      return closeWith(state, 'violation', 'destroy', [violationEffect(input.code, expectedFrame(input.code), input.detail)]);
    case 'timer':
      return onTimer(state, input.timer);
    case 'hang':
      return onHang(state, input.hung);
    case 'output-blocked':
      if (state.phase === 'closing') return { state, effects: [{ kind: 'close', reason: input.code, mode: 'destroy' }] };
      return closeWith(state, input.code, 'destroy', [
        violationEffect(input.code, input.code === 'write-stall' ? 'the client to keep reading' : 'queued output below highWaterMarkBytes', input.detail),
      ]);
    case 'input-overflow':
      if (state.phase === 'closing') return { state, effects: [{ kind: 'close', reason: 'input-overflow', mode: 'destroy' }] };
      return closeWith(state, 'input-overflow', 'destroy', [
        violationEffect('input-overflow', 'incomplete input of all connections below maxBufferedInputBytes', input.detail),
      ]);
    case 'input-stall':
      // Before and after the subscription: half a frame must not hold a connection open forever.
      if (state.phase === 'closing') return { state, effects: [{ kind: 'close', reason: 'input-stall', mode: 'destroy' }] };
      return closeWith(state, 'input-stall', 'destroy', [
        violationEffect('input-stall', 'the rest of the incomplete header or frame within inputStallTimeoutMs', input.detail),
      ]);
    case 'close':
      if (state.phase === 'closing') return { state, effects: [] };
      return closeWith(state, input.reason, 'end', [], input.detail);
    case 'socket-closed': {
      const closeReason: CloseReason = state.closeReason ?? 'peer-closed';
      return {
        state: { ...state, phase: 'closed', closeReason },
        effects: [...clearAllTimers(), { kind: 'release' }],
      };
    }
    default: {
      const never: never = input;
      throw new TypeError(`unhandled session input ${JSON.stringify(never)}`);
    }
  }
}

function onHeaderStart(state: SessionState, byte: number, config: SessionConfig): SessionStep {
  // §2, §17: any client type but 11 is closed at once and without a reply (unless a handler takes
  // that type, MAAPI.md §M1); a Java client's MAAPI side connection (type 7) must not be left
  // waiting, and a type-12 helper sends only one byte.
  if (state.phase !== 'await-header' || isServedType(byte & 0x3f, config)) return { state, effects: [] };
  return closeWith(state, 'client-type', 'destroy', [], clientTypeDetail(byte));
}

function onHeader(state: SessionState, bytes: Uint8Array, entropy: Uint8Array, config: SessionConfig): SessionStep {
  if (state.phase !== 'await-header') return { state, effects: [] };
  let header: ConnectHeader;
  try {
    header = decodeConnectHeader(bytes);
  } catch (error) {
    return closeWith(state, 'violation', 'destroy', [violationEffect('bad-header', 'a 9-byte connect header (§2)', describeError(error))]);
  }
  const withHeader: SessionState = { ...state, header };
  if (!isServedType(header.clientType, config)) return closeWith(withHeader, 'client-type', 'destroy', [], clientTypeDetail(bytes[0] ?? 0));
  // §2, §17: bit 6 (challenge v2) is only ever sent together with bit 7.
  if (header.wantChallengeV2 && !header.wantChallenge) {
    return closeWith(withHeader, 'violation', 'destroy', [
      violationEffect('bad-header', 'bit 6 only together with bit 7 (§2)', `first byte 0x${hex(header.rawFlags)}`),
    ]);
  }
  if (!header.wantChallenge) {
    // §3.4 [UNK]: the check is on but the client did not ask for a challenge: close without a reply.
    if (config.accessSecret !== undefined) {
      return closeWith(withHeader, 'access-denied', 'destroy', [
        violationEffect('access-denied', 'header bit 7 (the access check is enabled, §3)', 'no challenge requested'),
      ]);
    }
    return versionReply(withHeader, header, config, []);
  }
  // §3.4 [UNK]: a challenge was asked for while the check is off. Lenient: run it and accept any
  // digest (clients wait for the challenge); strict: close.
  if (config.accessSecret === undefined && config.strict) {
    return closeWith(withHeader, 'access-denied', 'destroy', [
      violationEffect('access-denied', 'no access check (none is configured, §3.4)', 'header bit 7'),
    ]);
  }
  const version = accessCheckVersionOf(header) ?? 'v1';
  const challenge = entropy.slice(0, challengeLength(version));
  return {
    state: { ...withHeader, phase: 'await-challenge-response', access: { version, challenge } },
    // §3.1: the challenge goes out in one write.
    effects: [{ kind: 'write', bytes: encodeChallenge(challenge), journal: 'challenge' }],
  };
}

function onChallengeResponse(state: SessionState, bytes: Uint8Array, config: SessionConfig): SessionStep {
  if (state.phase !== 'await-challenge-response' || state.access === undefined || state.header === undefined) return { state, effects: [] };
  const { version, challenge } = state.access;
  const secret = config.accessSecret;
  const accepted =
    secret === undefined ? bytes[0] === CHALLENGE_RESPONSE_BYTE : checkChallengeResponse(secret, challenge, bytes, version);
  if (!accepted) {
    // §3.4: send a non-zero result byte, then close.
    return closeWith(state, 'access-denied', 'end', [
      { kind: 'write', bytes: ACCESS_DENIED_BYTES, journal: 'access-result' },
      violationEffect('access-denied', `the ${version} digest of the shared secret (§3.2)`, bytes[0] === CHALLENGE_RESPONSE_BYTE ? 'a wrong digest' : `first byte ${bytes[0] ?? 'none'}`),
    ]);
  }
  return versionReply(state, state.header, config, [{ kind: 'write', bytes: ACCESS_OK_BYTES, journal: 'access-result' }]);
}

function versionReply(state: SessionState, header: ConnectHeader, config: SessionConfig, before: SessionEffect[]): SessionStep {
  if (config.strict && config.allowedProtocolVersions !== undefined && !config.allowedProtocolVersions.includes(header.protocolVersion)) {
    // §4.3 strict: status 1 with the mock's own version, then close.
    const reply = encodeVersionReply({
      status: 1,
      protocolVersion: NSO57_PROTOCOL_VERSION,
      libraryVersion: NSO57_LIBRARY_VERSION,
      maxDepth: header.maxDepth === 0 ? 60 : header.maxDepth,
      maxKeyLength: header.maxKeyLength === 0 ? 18 : header.maxKeyLength,
    });
    return closeWith(state, 'bad-version', 'end', [
      ...before,
      { kind: 'write', bytes: reply, journal: 'version-reply' },
      violationEffect('bad-version', `protocol version in [${config.allowedProtocolVersions.join(', ')}]`, String(header.protocolVersion)),
    ]);
  }
  if (header.clientType !== CLIENT_TYPE_EVENT_MANAGER) {
    // MAAPI.md §M1.1: the same lenient echo, then the type's handler owns the connection (the
    // init window, §1.2, covered only the handshake).
    return {
      state: { ...state, phase: 'handed-off' },
      effects: [
        ...before,
        { kind: 'write', bytes: encodeVersionReply(versionReplyFor(header)), journal: 'version-reply' },
        { kind: 'clear-timer', timer: 'init' },
        { kind: 'hand-off' },
      ],
    };
  }
  const { profile, choice } = chooseProfile(header.protocolVersion, config);
  return {
    state: { ...state, phase: 'await-subscription', profile, profileChoice: choice },
    // §4: the lenient echo, in one write.
    effects: [...before, { kind: 'write', bytes: encodeVersionReply(versionReplyFor(header)), journal: 'version-reply' }],
  };
}

/**
 * The connection's profile (§4.3, NSO62.md): the forced one, else the `profileForProtocolVersion`
 * option's answer, else the codec's one table (77 → nso57, 82 → nso62, newer → nso62, other → nso57).
 */
function chooseProfile(protocolVersion: number, config: SessionConfig): { profile: Profile; choice: ConnectionProfileChoice } {
  if (config.profile !== undefined) return { profile: config.profile, choice: { basis: 'forced' } };
  const custom = config.profileForProtocolVersion?.(protocolVersion);
  if (custom !== undefined) return { profile: custom, choice: { basis: 'option' } };
  const table = profileForProtocolVersion(protocolVersion);
  return { profile: table.profile, choice: table.note === undefined ? { basis: table.basis } : { basis: table.basis, note: table.note } };
}

function onFrame(state: SessionState, term: Term, config: SessionConfig): SessionStep {
  switch (state.phase) {
    case 'await-subscription':
      return onSubscription(state, term, config);
    case 'subscribed':
      return onSubscribedFrame(state, term, config);
    case 'closing': {
      // An ack read after we started closing still counts: the tracker classifies it as late (§20).
      const ack = ackFromTerm(term);
      return { state, effects: ack === undefined ? [] : [{ kind: 'ack', ack }] };
    }
    default:
      // Frames cannot arrive before the version reply: the shell reads raw bytes until then.
      return { state, effects: [] };
  }
}

function onSubscription(state: SessionState, term: Term, config: SessionConfig): SessionStep {
  let subscription: Subscription;
  try {
    subscription = subscriptionFromTerm(term);
  } catch (error) {
    // §17: not a 5-tuple of the §8.1 shape → {error, 21, <<"bad subscription",0>>}, close.
    return closeWith(state, 'subscribe-refused', 'end', [
      { kind: 'send', term: subscribeErrorTerm(BAD_SUBSCRIPTION_CODE, 'bad subscription') },
      violationEffect('bad-subscription', 'a {Mask, Heartbeat, HealthCheck, StreamInfo, Verbosity} tuple (§8.1)', `${safeFormat(term)}: ${describeError(error)}`),
    ]);
  }
  const effects: SessionEffect[] = [];
  const mask = subscription.mask;
  if ((mask & BIT.STREAM_EVENT) !== 0 && subscription.stream !== undefined) {
    const check = config.checkStream(subscription.stream);
    if (!check.ok) {
      // §14, §8.4: unknown stream / bad filter / unknown usid → error reply (reason with a trailing NUL), then close.
      return closeWith(state, 'subscribe-refused', 'end', [
        { kind: 'send', term: subscribeErrorTerm(check.code, check.reason) },
        violationEffect('stream-refused', 'a known stream, a filter that compiles and a known user session (§14)', `${subscription.stream.name}: ${check.reason}`),
      ]);
    }
  }
  const heartbeatIntervalMs = periodicInterval(mask, BIT.HEARTBEAT, subscription.heartbeatInterval, 'heartbeat', config, effects);
  const healthCheckIntervalMs = periodicInterval(mask, BIT.HEALTH_CHECK, subscription.healthCheckInterval, 'health check', config, effects);
  const profile = state.profile ?? chooseProfile(state.header?.protocolVersion ?? 0, config).profile;
  let next: SessionState = { ...state, phase: 'subscribed', subscription, profile };
  if (heartbeatIntervalMs !== undefined) next = { ...next, heartbeatIntervalMs };
  if (healthCheckIntervalMs !== undefined) next = { ...next, healthCheckIntervalMs };
  effects.push(
    { kind: 'clear-timer', timer: 'init' },
    // §8.4: the reply is exactly `ok`; it precedes any notification (and any stream replay, §14).
    { kind: 'send', term: SUBSCRIBE_OK },
    { kind: 'subscribed', subscription, profile },
  );
  // §13 [INF]: the first periodic frame comes one interval after the subscription.
  if (!next.hung) effects.push(...armPeriodic(next));
  return { state: next, effects };
}

function periodicInterval(
  mask: number,
  bit: number,
  requested: number,
  what: string,
  config: SessionConfig,
  effects: SessionEffect[],
): number | undefined {
  if ((mask & bit) === 0) return undefined;
  // §13 / §17: intervals below the minimum (1000 ms in NSO) are raised; 0 is a strict-mode violation.
  if (requested <= 0 && config.strict) {
    effects.push(violationEffect('zero-interval', `a ${what} interval > 0 (§13)`, String(requested), false));
  }
  return Math.max(requested, config.minHeartbeatIntervalMs, 1);
}

function onSubscribedFrame(state: SessionState, term: Term, config: SessionConfig): SessionStep {
  const ack = ackFromTerm(term);
  if (ack === undefined) {
    if (looksLikeSubscription(term)) {
      return closeWith(state, 'violation', 'end', [violationEffect('second-subscription', 'one subscription per connection (§1.1, §17)', safeFormat(term))]);
    }
    // §17: an ack of unknown shape → violation; strict closes, lenient ignores.
    const v = violationEffect('bad-ack', 'an ack of a §12.1 shape', safeFormat(term), config.strict);
    return config.strict ? closeWith(state, 'violation', 'end', [v]) : { state, effects: [v] };
  }
  const mask = state.subscription?.mask ?? 0;
  const check = checkAckAgainstMask(ack, mask);
  if (check !== 'ok') {
    // §12.4: ignore and record; strict mode may close the offender.
    const v = violationEffect(
      check,
      check === 'ack-unsubscribed' ? 'acks only for subscribed types (§12.4)' : 'acks only with the sync flag in the mask (§12.1)',
      `${safeFormat(term)} with mask ${mask}`,
      config.strict,
    );
    return config.strict ? closeWith(state, 'violation', 'end', [v]) : { state, effects: [v] };
  }
  return { state, effects: [{ kind: 'ack', ack }] };
}

function looksLikeSubscription(term: Term): boolean {
  try {
    subscriptionFromTerm(term);
    return true;
  } catch {
    return false;
  }
}

function onTimer(state: SessionState, timer: 'init' | 'heartbeat' | 'health-check'): SessionStep {
  switch (timer) {
    case 'init':
      // §1.2 / §17: the header (and the subscription) must arrive within the init window.
      if (state.phase === 'await-header' || state.phase === 'await-challenge-response') {
        return closeWith(state, 'violation', 'destroy', [violationEffect('header-timeout', 'the connect header within the init window (§1.2)', 'nothing complete')]);
      }
      if (state.phase === 'await-subscription') {
        return closeWith(state, 'violation', 'destroy', [violationEffect('subscribe-timeout', 'the subscription within the init window (§1.2)', 'nothing')]);
      }
      return { state, effects: [] };
    case 'heartbeat':
    case 'health-check': {
      const interval = timer === 'heartbeat' ? state.heartbeatIntervalMs : state.healthCheckIntervalMs;
      if (state.phase !== 'subscribed' || state.hung || interval === undefined) return { state, effects: [] };
      return {
        state,
        effects: [
          { kind: 'periodic', type: timer },
          { kind: 'set-timer', timer, delayMs: interval },
        ],
      };
    }
    default: {
      const never: never = timer;
      throw new TypeError(`unknown timer ${String(never)}`);
    }
  }
}

/** Client type 11 (§2) or one a handler takes (MAAPI.md §M1). */
function isServedType(clientType: number, config: SessionConfig): boolean {
  return clientType === CLIENT_TYPE_EVENT_MANAGER || config.handedOffClientTypes.has(clientType);
}

function onHang(state: SessionState, hung: boolean): SessionStep {
  if (state.hung === hung) return { state, effects: [] };
  const next: SessionState = { ...state, hung };
  if (state.phase !== 'subscribed') return { state: next, effects: [] };
  // §13: "hang" stops heartbeats and health checks; resuming starts a fresh interval.
  return {
    state: next,
    effects: hung
      ? [
          { kind: 'clear-timer', timer: 'heartbeat' },
          { kind: 'clear-timer', timer: 'health-check' },
        ]
      : armPeriodic(next),
  };
}

function armPeriodic(state: SessionState): SessionEffect[] {
  const effects: SessionEffect[] = [];
  if (state.heartbeatIntervalMs !== undefined) effects.push({ kind: 'set-timer', timer: 'heartbeat', delayMs: state.heartbeatIntervalMs });
  if (state.healthCheckIntervalMs !== undefined) effects.push({ kind: 'set-timer', timer: 'health-check', delayMs: state.healthCheckIntervalMs });
  return effects;
}

function clearAllTimers(): SessionEffect[] {
  return [
    { kind: 'clear-timer', timer: 'init' },
    { kind: 'clear-timer', timer: 'heartbeat' },
    { kind: 'clear-timer', timer: 'health-check' },
  ];
}

function closeWith(state: SessionState, reason: CloseReason, mode: 'end' | 'destroy', before: SessionEffect[], detail?: string): SessionStep {
  return {
    state: { ...state, phase: 'closing', closeReason: reason, ...(detail === undefined ? {} : { closeDetail: detail }) },
    effects: [...before, ...clearAllTimers(), { kind: 'close', reason, mode }],
  };
}

function violationEffect(code: Extract<SessionEffect, { kind: 'violation' }>['code'], expected: string, actual: string, closes = true): SessionEffect {
  return { kind: 'violation', code, expected, actual, closes };
}

function expectedFrame(code: 'bad-frame-length' | 'bad-term'): string {
  return code === 'bad-frame-length' ? 'a frame length between 1 and maxFrameBytes (§5)' : 'one complete Erlang term starting with 131 (§6)';
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A term for a violation's `actual`: at most 200 characters, at a cost bounded by that (formatTerm stops at its cap). */
function safeFormat(term: Term): string {
  try {
    return formatTerm(term, { maxLength: 200 });
  } catch {
    return `<${term.kind}>`;
  }
}

/**
 * The `client-type` close detail: the first byte in hex (and as a character when printable), so a
 * log shows an HTTP request (`0x47 'G'`) or a TLS hello (`0x16`) for what it is (§2: the low six
 * bits are the client type).
 */
function clientTypeDetail(byte: number): string {
  const char = byte >= 0x20 && byte < 0x7f ? ` '${String.fromCharCode(byte)}'` : '';
  return `first byte 0x${hex(byte)}${char} is client type ${byte & 0x3f}, not 11 (§2)`;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
