/**
 * Java `ObjectOutputStream` encoding of a single `java.lang.String`, the form CPS puts in the LCM
 * Kafka headers: `EventProducer.convertToKafkaHeaders()` calls Spring's
 * `SerializationUtils.serialize(value)` on each of the seven envelope strings (see
 * shared/schemas/ncmp/README.md, "How these events look on the wire").
 *
 * Layout (Java Object Serialization Specification §6.4):
 *   AC ED            STREAM_MAGIC
 *   00 05            STREAM_VERSION
 *   74 <u16> <bytes> TC_STRING with a 2-byte length when the modified UTF-8 form is ≤ 65535 bytes
 *   7C <u64> <bytes> TC_LONGSTRING otherwise
 */
import { UsageError } from '../codec/errors.js';

const STREAM_MAGIC_VERSION = [0xac, 0xed, 0x00, 0x05] as const;
const TC_STRING = 0x74;
const TC_LONGSTRING = 0x7c;

/** Bytes that the modified UTF-8 form of `text` needs (DataOutputStream.writeUTF rules). */
function modifiedUtf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x0001 && c <= 0x007f) n += 1;
    else if (c <= 0x07ff) n += 2; // includes U+0000, which Java writes as C0 80
    else n += 3; // every UTF-16 code unit, surrogates included, takes 3 bytes
  }
  return n;
}

/**
 * Encodes `text` as Java's modified UTF-8 (per UTF-16 code unit; U+0000 as `C0 80`; surrogate
 * halves encoded separately, never as 4-byte sequences).
 * @example encodeModifiedUtf8('\u0000') // Uint8Array [0xc0, 0x80]
 */
export function encodeModifiedUtf8(text: string): Uint8Array {
  const out = new Uint8Array(modifiedUtf8Length(text));
  writeModifiedUtf8(text, out, 0);
  return out;
}

function writeModifiedUtf8(text: string, out: Uint8Array, start: number): number {
  let p = start;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x0001 && c <= 0x007f) {
      out[p++] = c;
    } else if (c <= 0x07ff) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}

/**
 * The bytes `new ObjectOutputStream(out).writeObject(text)` produces, as CPS sends them in LCM headers.
 * @example javaSerializeString('1.0') // AC ED 00 05 74 00 03 31 2E 30
 */
export function javaSerializeString(text: string): Uint8Array {
  const len = modifiedUtf8Length(text);
  const long = len > 0xffff;
  const headerBytes = 4 + 1 + (long ? 8 : 2);
  const out = new Uint8Array(headerBytes + len);
  out.set(STREAM_MAGIC_VERSION, 0);
  const view = new DataView(out.buffer);
  if (long) {
    out[4] = TC_LONGSTRING;
    view.setBigUint64(5, BigInt(len));
  } else {
    out[4] = TC_STRING;
    view.setUint16(5, len);
  }
  writeModifiedUtf8(text, out, headerBytes);
  return out;
}

/** Decodes Java's modified UTF-8 (the inverse of {@link encodeModifiedUtf8}). */
function decodeModifiedUtf8(bytes: Uint8Array, start: number, end: number): string {
  const units: number[] = [];
  let p = start;
  while (p < end) {
    const a = bytes[p] ?? 0;
    if (a < 0x80 && a !== 0) {
      units.push(a);
      p += 1;
    } else if ((a & 0xe0) === 0xc0 && p + 1 < end) {
      units.push(((a & 0x1f) << 6) | ((bytes[p + 1] ?? 0) & 0x3f));
      p += 2;
    } else if ((a & 0xf0) === 0xe0 && p + 2 < end) {
      units.push(((a & 0x0f) << 12) | (((bytes[p + 1] ?? 0) & 0x3f) << 6) | ((bytes[p + 2] ?? 0) & 0x3f));
      p += 3;
    } else {
      throw new UsageError('NSOMOCK_USAGE', `Failed to read Java-serialized string: malformed modified UTF-8 at byte ${p}`, {
        details: { option: 'bytes', value: p },
      });
    }
  }
  let s = '';
  for (let i = 0; i < units.length; i += 4096) s += String.fromCharCode(...units.slice(i, i + 4096));
  return s;
}

/**
 * Reads a Java-serialized `String` (as written by {@link javaSerializeString}), or returns
 * `undefined` when `bytes` are not in that form. Consumers use it to show LCM header values.
 * @example javaDeserializeString(javaSerializeString('org.onap.ncmp')) // 'org.onap.ncmp'
 * @throws UsageError `NSOMOCK_USAGE` when the header says TC_STRING but the body is not modified UTF-8.
 */
export function javaDeserializeString(bytes: Uint8Array): string | undefined {
  if (bytes.length < 7) return undefined;
  for (let i = 0; i < 4; i++) if (bytes[i] !== STREAM_MAGIC_VERSION[i]) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[4] === TC_STRING) {
    const len = view.getUint16(5);
    if (7 + len !== bytes.length) return undefined;
    return decodeModifiedUtf8(bytes, 7, 7 + len);
  }
  if (bytes[4] === TC_LONGSTRING && bytes.length >= 13) {
    const len = Number(view.getBigUint64(5));
    if (13 + len !== bytes.length) return undefined;
    return decodeModifiedUtf8(bytes, 13, 13 + len);
  }
  return undefined;
}
