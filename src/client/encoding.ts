/**
 * The bytes a client library puts on the wire (PROTOCOL.md §2, §6, §18), so this client is an
 * independent peer of the server rather than a mirror of its encoder:
 * - `c` (C / Python): atoms as SMALL_ATOM_UTF8_EXT (119), standard integers; header bytes 7/8 = 60/18.
 * - `java`: atoms as ATOM_EXT (100); integers 0..255 as SMALL_INTEGER_EXT, within ±(2^27 − 1) as
 *   INTEGER_EXT, beyond that SMALL_BIG_EXT with at least 4 magnitude bytes (§6.3); header bytes 7/8 = 0/0.
 */
import {
  ByteWriter,
  CodecError,
  encodeConnectHeader,
  encodeTerm,
  NSO57_LIBRARY_VERSION,
  NSO57_PROTOCOL_VERSION,
  CLIENT_TYPE_EVENT_MANAGER,
  Tag,
  VERSION_MAGIC,
  type AccessCheckVersion,
  type Term,
} from '../codec/index.js';

/** Which real library the client imitates. */
export type ClientStyle = 'c' | 'java';

/** Java's `OtpOutputStream` switches to a bignum above this magnitude (§6.3). */
const JAVA_INT_LIMIT = 2 ** 27 - 1;

/**
 * The 9-byte connect header a library of `style` sends (§2 "Observed headers").
 * @example
 *   connectHeaderFor('c', undefined) // 0b 00 4d 07 07 01 00 3c 12
 */
export function connectHeaderFor(
  style: ClientStyle,
  access: AccessCheckVersion | undefined,
  clientType: number = CLIENT_TYPE_EVENT_MANAGER,
  protocolVersion: number = NSO57_PROTOCOL_VERSION,
  libraryVersion: number = NSO57_LIBRARY_VERSION,
): Uint8Array {
  const flags = access === undefined ? 0 : access === 'v2' ? 0xc0 : 0x80;
  return encodeConnectHeader({
    clientType,
    wantChallenge: access !== undefined,
    wantChallengeV2: access === 'v2',
    protocolVersion,
    libraryVersion,
    maxDepth: style === 'c' ? 60 : 0,
    maxKeyLength: style === 'c' ? 18 : 0,
    rawFlags: flags,
  });
}

/**
 * Encodes a term the way the library of `style` does (version byte included).
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` for term kinds a client never sends.
 */
export function encodeClientTerm(term: Term, style: ClientStyle): Uint8Array {
  if (style === 'c') return encodeTerm(term, { atomEncoding: 'utf8' });
  const w = new ByteWriter(64);
  w.u8(VERSION_MAGIC);
  writeJava(w, term, 0);
  return w.copy();
}

/** Encodes a term as one frame (§5) in the library's style. */
export function encodeClientFrame(term: Term, style: ClientStyle): Uint8Array {
  const payload = encodeClientTerm(term, style);
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length);
  out.set(payload, 4);
  return out;
}

function writeJava(w: ByteWriter, term: Term, depth: number): void {
  if (depth > 64) throw unencodable('nesting deeper than 64');
  switch (term.kind) {
    case 'atom': {
      const bytes = latin1(term.name);
      w.u8(Tag.ATOM_EXT);
      w.u16(bytes.length);
      w.bytes(bytes);
      return;
    }
    case 'integer':
      writeJavaInt(w, BigInt(term.value));
      return;
    case 'binary':
      w.u8(Tag.BINARY_EXT);
      w.u32(term.bytes.length);
      w.bytes(term.bytes);
      return;
    case 'tuple':
      if (term.elements.length > 255) throw unencodable('tuple arity above 255');
      w.u8(Tag.SMALL_TUPLE_EXT);
      w.u8(term.elements.length);
      for (const e of term.elements) writeJava(w, e, depth + 1);
      return;
    case 'nil':
      w.u8(Tag.NIL_EXT);
      return;
    case 'list':
      w.u8(Tag.LIST_EXT);
      w.u32(term.elements.length);
      for (const e of term.elements) writeJava(w, e, depth + 1);
      writeJava(w, term.tail, depth + 1);
      return;
    default:
      throw unencodable(`a ${term.kind} term (clients never send one)`);
  }
}

function writeJavaInt(w: ByteWriter, v: bigint): void {
  if (v >= 0n && v <= 255n) {
    w.u8(Tag.SMALL_INTEGER_EXT);
    w.u8(Number(v));
    return;
  }
  const magnitude = v < 0n ? -v : v;
  if (magnitude <= BigInt(JAVA_INT_LIMIT)) {
    w.u8(Tag.INTEGER_EXT);
    w.u32(Number(BigInt.asUintN(32, v)));
    return;
  }
  // §6.3: SMALL_BIG_EXT, little-endian magnitude, at least 4 bytes.
  const digits: number[] = [];
  for (let m = magnitude; m > 0n; m >>= 8n) digits.push(Number(m & 0xffn));
  while (digits.length < 4) digits.push(0);
  if (digits.length > 255) throw unencodable('integer too large');
  w.u8(Tag.SMALL_BIG_EXT);
  w.u8(digits.length);
  w.u8(v < 0n ? 1 : 0);
  w.bytes(Uint8Array.from(digits));
}

function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c > 255) throw unencodable(`atom ${JSON.stringify(text)} is not Latin-1 (Java sends ATOM_EXT)`);
    out[i] = c;
  }
  return out;
}

function unencodable(reason: string): CodecError {
  return new CodecError('NSOMOCK_CODEC_UNENCODABLE', `Failed to encode term: ${reason} (java-style client encoder)`, { details: { offset: 0 } });
}
