/**
 * The error model of every layer (STYLE.md §3). Codes are API and each one has a row in
 * docs/errors.md; message text is not API. `test/errors.test.ts` checks that this registry, the
 * `NsoMockErrorCode` union and the docs agree.
 *
 * The registry lives in the codec because the codec is the bottom layer: every other layer can
 * import it without breaking the dependency direction.
 */
export const ERROR_CODES = {
  // codec
  NSOMOCK_CODEC_TRUNCATED: 'The input ended inside a term, frame or header.',
  NSOMOCK_CODEC_BAD_VERSION: 'A term did not start with the version byte 131.',
  NSOMOCK_CODEC_UNKNOWN_TAG: 'A byte where a term tag was expected is no tag the decoder reads.',
  NSOMOCK_CODEC_LIMIT_EXCEEDED: 'A length, arity, depth or size exceeded a configured decode limit.',
  NSOMOCK_CODEC_BUDGET_EXCEEDED: 'The decoded term would hold more memory than maxDecodedBytes (every term, element and byte is charged; a compressed term its uncompressed size, before inflating).',
  NSOMOCK_CODEC_COMPRESSED_REFUSED: 'A compressed term (tag 80) where compressed terms are not accepted (allowCompressed: false; the server refuses them from clients).',
  NSOMOCK_CODEC_INTEGER_TOO_LARGE: 'An integer (SMALL_BIG_EXT/LARGE_BIG_EXT) has a magnitude larger than maxBigIntBytes (default 1024 bytes).',
  NSOMOCK_CODEC_TRAILING_BYTES: 'Bytes followed a complete term where none were allowed.',
  NSOMOCK_CODEC_INVALID: 'The bytes are well-formed but do not denote a valid term (bad UTF-8 atom, bad float text, bad header field).',
  NSOMOCK_CODEC_UNENCODABLE: 'A value given to an encoder cannot be represented (atom too long, integer out of range, wrong field type), or int() got a number that is not an integer.',
  NSOMOCK_CODEC_FRAME_TOO_LARGE: 'A frame length prefix is larger than maxFrameBytes (or is zero).',
  NSOMOCK_CODEC_BAD_NOTIFICATION: 'A term does not have the layout of the notification, subscription or ack it should be.',
  // server
  NSOMOCK_SERVER_LISTEN_FAILED: 'The server could not bind its TCP port or Unix socket.',
  NSOMOCK_SERVER_CLOSED: 'The operation needs a running server, but it was closed.',
  NSOMOCK_SERVER_ACK_FAILED: 'A blocking handshake ended without every required ack (timeout, disconnect or violation).',
  NSOMOCK_SERVER_STREAM: 'A named-stream operation was invalid (unknown stream, stream already completed).',
  NSOMOCK_SERVER_XPATH: 'The XPath filter of a stream subscription does not compile (outside the supported subset of XPath 1.0, too long or nested too deep); the subscription is refused with error 50.',
  // schema
  NSOMOCK_SCHEMA_INVALID: 'A data model (YANG module or .fxs file) does not parse or does not resolve (unknown grouping, typedef or prefix, a key naming no leaf, a bad type); the message gives file:line:col.',
  NSOMOCK_SCHEMA_PATH: 'A keypath does not resolve against the loaded schema (unknown node, wrong key count, ambiguous prefix).',
  NSOMOCK_SCHEMA_VALUE: "A value does not fit its leaf's type (not an integer in range, unknown enum, bad address).",
  // maapi
  NSOMOCK_MAAPI_TRANSACTION: 'A MAAPI transaction\'s changes or data do not fit its schema (unknown path, missing list keys, a value the leaf type does not take).',
  // scenarios
  NSOMOCK_SCENARIO_INVALID: 'A scenario file is not valid YAML or does not match the scenario schema.',
  NSOMOCK_SCENARIO_INCLUDE: 'A scenario include could not be read or forms a cycle.',
  NSOMOCK_SCENARIO_STEP_FAILED: 'A scenario step failed while it was played (an expectation did not hold).',
  NSOMOCK_SCENARIO_ABORTED: 'A scenario run was aborted before it finished.',
  // harness
  NSOMOCK_HARNESS_TIMEOUT: 'A harness wait did not complete within its deadline.',
  NSOMOCK_HARNESS_PENDING_ACKS: 'assertNoPendingAcks() found acks still outstanding.',
  NSOMOCK_HARNESS_UNEXPECTED_FRAME: 'A client sent a frame the harness policy treats as an error.',
  NSOMOCK_HARNESS_COUNT_INCOMPLETE: 'count() could not count all the traffic asked for: the journal no longer holds every entry since the offset (it was evicted past `journalLimit`, or the journal is off).',
  NSOMOCK_HARNESS_CLIENT_FAILED: 'A client under test exited, crashed or misbehaved during a conformance or fuzz run, or exited before the scenario ended in `run --client`.',
  // client
  NSOMOCK_CLIENT_CONNECT_FAILED: 'The client could not connect, pass the access check or subscribe.',
  NSOMOCK_CLIENT_CLOSED: 'The client connection is closed.',
  NSOMOCK_CLIENT_MAAPI: 'A MAAPI request of the TypeScript client got an error reply (details: op, error code, reason).',
  // usage
  NSOMOCK_USAGE: 'An API argument or option, or a CLI option, was invalid.',
  // ncmp
  NSOMOCK_NCMP_INVALID_TRANSITION: 'A cm-handle state transition is not allowed by the CPS state machine.',
  NSOMOCK_NCMP_SCHEMA: 'A produced NCMP event does not validate against its schema.',
  NSOMOCK_NCMP_KAFKA: 'Publishing to Kafka failed.',
} as const;

export type NsoMockErrorCode = keyof typeof ERROR_CODES;

/** Every code, in registry order. */
export const errorCodes: readonly NsoMockErrorCode[] = Object.keys(ERROR_CODES) as NsoMockErrorCode[];

export interface NsoMockErrorOptions<D> {
  readonly details: D;
  readonly cause?: unknown;
}

/**
 * The base class of every error nso-mock throws. Match on `code`, never on `message`.
 * @example
 *   try { decodeTerm(bytes) } catch (e) { if (e instanceof NsoMockError && e.code === 'NSOMOCK_CODEC_TRUNCATED') ... }
 */
export class NsoMockError<D extends object = Record<string, unknown>> extends Error {
  readonly code: NsoMockErrorCode;
  readonly details: D;

  constructor(code: NsoMockErrorCode, message: string, options: NsoMockErrorOptions<D>) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

export interface CodecErrorDetails {
  /** Byte offset in the input where the problem was found (from the start of the term, version byte included). */
  readonly offset: number;
  /** The tag byte being decoded when the problem was found, if any. */
  readonly tag?: number;
  /**
   * For notification, subscription and ack layouts (`NSOMOCK_CODEC_UNENCODABLE`,
   * `NSOMOCK_CODEC_BAD_NOTIFICATION`): the field path, e.g. `uinfo.port` or `values[2].v`
   * (`offset` is then -1: the problem is in a value, not at a byte).
   */
  readonly path?: string;
}

/** Thrown by the codec; the only error type decoders throw, whatever the input. */
export class CodecError extends NsoMockError<CodecErrorDetails> {}

export interface UsageErrorDetails {
  readonly option?: string;
  readonly value?: unknown;
}

/** Misuse of the API or CLI (bad option values). */
export class UsageError extends NsoMockError<UsageErrorDetails> {}
