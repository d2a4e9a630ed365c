import { ByteReader } from './byte-reader.js';
import { CodecError } from './errors.js';

/** Client type of the event-notification socket (PROTOCOL.md §2, low 6 bits of byte 0). */
export const CLIENT_TYPE_EVENT_MANAGER = 11;
/** Library protocol version of the NSO 5.7.1 / ConfD 7.7.1 libraries (§2). */
export const NSO57_PROTOCOL_VERSION = 77;
/** Library version of NSO 5.7.1 in ConfD numbering (7.7.1.0, §2). */
export const NSO57_LIBRARY_VERSION = 0x07070100;
/** Size of the connect header and of the version reply (§2, §4). */
export const CONNECT_HEADER_BYTES = 9;

const WANT_CHALLENGE = 0x80;
const WANT_CHALLENGE_V2 = 0x40;
const CLIENT_TYPE_MASK = 0x3f;
/** Used in the §4.3 echo when the client sends 0 (Java, econfd): the C library's compiled MAXDEPTH/MAXKEYLEN. */
const DEFAULT_MAX_DEPTH = 60;
const DEFAULT_MAX_KEY_LENGTH = 18;

/** The 9-byte header a client sends first, unframed (PROTOCOL.md §2). */
export interface ConnectHeader {
  /** Low 6 bits of byte 0: 11 for this service; other values are other IPC clients (§2, §17). */
  readonly clientType: number;
  /** Bit 7 of byte 0: the client wants the access-check challenge (§3). */
  readonly wantChallenge: boolean;
  /** Bit 6 of byte 0: the v2 (SHA-256) challenge; sent only together with bit 7 (§3.2). */
  readonly wantChallengeV2: boolean;
  /** Bytes 1–2: library protocol version (77 for NSO 5.7.1). */
  readonly protocolVersion: number;
  /** Bytes 3–6: library version, ConfD-numbered (0x07070100 for NSO 5.7.1). */
  readonly libraryVersion: number;
  /** Byte 7: C library's compiled max key-path depth (60), 0 from Java/econfd. */
  readonly maxDepth: number;
  /** Byte 8: C library's compiled max key length (18), 0 from Java/econfd. */
  readonly maxKeyLength: number;
  /** The flag bits of byte 0 exactly as sent (`byte0 & 0xc0`). */
  readonly rawFlags: number;
}

/** The 9-byte reply the server sends after the header (and after a passed access check), §4. */
export interface VersionReply {
  /** 0 ok, 1 protocol version mismatch, 2 client's max depth / key length too small (§4). */
  readonly status: 0 | 1 | 2;
  readonly protocolVersion: number;
  readonly libraryVersion: number;
  readonly maxDepth: number;
  readonly maxKeyLength: number;
}

function fail(code: 'NSOMOCK_CODEC_TRUNCATED' | 'NSOMOCK_CODEC_TRAILING_BYTES' | 'NSOMOCK_CODEC_INVALID', what: string, reason: string, offset: number): never {
  throw new CodecError(code, `Failed to decode ${what}: ${reason} (at byte ${offset})`, { details: { offset } });
}

function nine(bytes: Uint8Array, what: string): ByteReader {
  if (bytes.length < CONNECT_HEADER_BYTES) fail('NSOMOCK_CODEC_TRUNCATED', what, `got ${bytes.length} of ${CONNECT_HEADER_BYTES} bytes`, bytes.length);
  if (bytes.length > CONNECT_HEADER_BYTES) fail('NSOMOCK_CODEC_TRAILING_BYTES', what, `got ${bytes.length} bytes, expected ${CONNECT_HEADER_BYTES}`, CONNECT_HEADER_BYTES);
  return new ByteReader(bytes);
}

/**
 * Decodes the connect header (PROTOCOL.md §2). Any client type is accepted here; the session
 * decides what to do with non-event clients (§17).
 *
 * @throws CodecError `NSOMOCK_CODEC_TRUNCATED` (fewer than 9 bytes), `NSOMOCK_CODEC_TRAILING_BYTES` (more).
 * @example
 *   decodeConnectHeader(hex('0b004d070701003c12')) // => { clientType: 11, protocolVersion: 77, maxDepth: 60, ... }
 */
export function decodeConnectHeader(bytes: Uint8Array): ConnectHeader {
  const r = nine(bytes, 'connect header');
  const b0 = r.u8();
  return {
    clientType: b0 & CLIENT_TYPE_MASK,
    wantChallenge: (b0 & WANT_CHALLENGE) !== 0,
    wantChallengeV2: (b0 & WANT_CHALLENGE_V2) !== 0,
    protocolVersion: r.u16(),
    libraryVersion: r.u32(),
    maxDepth: r.u8(),
    maxKeyLength: r.u8(),
    rawFlags: b0 & (WANT_CHALLENGE | WANT_CHALLENGE_V2),
  };
}

function field(value: number, max: number, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new CodecError('NSOMOCK_CODEC_UNENCODABLE', `Failed to encode header: ${name} ${value} is outside 0..${max}`, {
      details: { offset: 0 },
    });
  }
  return value;
}

function write9(b0: number, protocolVersion: number, libraryVersion: number, maxDepth: number, maxKeyLength: number): Uint8Array {
  const out = new Uint8Array(CONNECT_HEADER_BYTES);
  out[0] = b0;
  out[1] = field(protocolVersion, 0xffff, 'protocolVersion') >>> 8;
  out[2] = protocolVersion & 0xff;
  field(libraryVersion, 0xffffffff, 'libraryVersion');
  out[3] = libraryVersion >>> 24;
  out[4] = libraryVersion >>> 16;
  out[5] = libraryVersion >>> 8;
  out[6] = libraryVersion;
  out[7] = field(maxDepth, 0xff, 'maxDepth');
  out[8] = field(maxKeyLength, 0xff, 'maxKeyLength');
  return out;
}

/**
 * Encodes a connect header (what a client sends, §2). Byte 0 is `clientType` with bit 7 set by
 * `wantChallenge` and bit 6 by `wantChallengeV2` (or by `rawFlags`).
 *
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` when a field is out of its byte range.
 * @example
 *   encodeConnectHeader({ clientType: 11, wantChallenge: false, wantChallengeV2: false, protocolVersion: 77,
 *     libraryVersion: 0x07070100, maxDepth: 60, maxKeyLength: 18, rawFlags: 0 }) // => 0b 00 4d 07 07 01 00 3c 12
 */
export function encodeConnectHeader(h: ConnectHeader): Uint8Array {
  const b0 =
    field(h.clientType, CLIENT_TYPE_MASK, 'clientType') |
    (h.wantChallenge ? WANT_CHALLENGE : 0) |
    (h.wantChallengeV2 ? WANT_CHALLENGE_V2 : 0) |
    (field(h.rawFlags, 0xff, 'rawFlags') & (WANT_CHALLENGE | WANT_CHALLENGE_V2));
  return write9(b0, h.protocolVersion, h.libraryVersion, h.maxDepth, h.maxKeyLength);
}

/**
 * Encodes the 9-byte version reply (§4). Write it in one write: Java reads it with a single read (§3.1).
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` when a field is out of range.
 * @example
 *   encodeVersionReply(versionReplyFor(header)) // => 00 00 4d 07 07 01 00 3c 12
 */
export function encodeVersionReply(r: VersionReply): Uint8Array {
  return write9(field(r.status, 2, 'status'), r.protocolVersion, r.libraryVersion, r.maxDepth, r.maxKeyLength);
}

/**
 * Decodes a version reply (§4), as a client does.
 * @throws CodecError `NSOMOCK_CODEC_TRUNCATED`, `NSOMOCK_CODEC_TRAILING_BYTES`, or
 *   `NSOMOCK_CODEC_INVALID` for a status other than 0, 1, 2.
 * @example
 *   decodeVersionReply(bytes).status // => 0
 */
export function decodeVersionReply(bytes: Uint8Array): VersionReply {
  const r = nine(bytes, 'version reply');
  const status = r.u8();
  if (status > 2) fail('NSOMOCK_CODEC_INVALID', 'version reply', `unknown status ${status}`, 0);
  return {
    status: status as 0 | 1 | 2,
    protocolVersion: r.u16(),
    libraryVersion: r.u32(),
    maxDepth: r.u8(),
    maxKeyLength: r.u8(),
  };
}

/**
 * The lenient mock's reply (PROTOCOL.md §4.3): status 0, the client's protocol and library
 * versions echoed, and the client's max depth / key length when non-zero, else 60/18 (never more
 * than a 5.7.1 C client's own values).
 * @example
 *   versionReplyFor(decodeConnectHeader(hex('0b004d070701000000'))) // Java: { status: 0, ..., maxDepth: 60, maxKeyLength: 18 }
 */
export function versionReplyFor(header: ConnectHeader): VersionReply {
  return {
    status: 0,
    protocolVersion: header.protocolVersion,
    libraryVersion: header.libraryVersion,
    maxDepth: header.maxDepth !== 0 ? header.maxDepth : DEFAULT_MAX_DEPTH,
    maxKeyLength: header.maxKeyLength !== 0 ? header.maxKeyLength : DEFAULT_MAX_KEY_LENGTH,
  };
}
