import { createHash, timingSafeEqual } from 'node:crypto';
import type { ConnectHeader } from './connect-header.js';
import { CodecError } from './errors.js';

/** The two access-check variants of PROTOCOL.md §3.2: v1 = MD5 with 16-byte challenges, v2 = SHA-256 with 32. */
export type AccessCheckVersion = 'v1' | 'v2';

/** First byte of the challenge message (`IPC_PROTO_CHALLENGE`, §3.2). */
export const CHALLENGE_TAG = 11;
/** First byte of the response message (`IPC_PROTO_CHALLRESPONSE`, §3.2). */
export const CHALLENGE_RESPONSE_TAG = 12;
/** Result byte: accepted (`IPC_PROTO_OK`, §3.2). */
export const ACCESS_OK = 0;
/** Result byte the mock sends on a wrong digest (any non-zero byte is a rejection, §3.2, §3.4). */
export const ACCESS_DENIED = 1;

/** The C library hashes at most this many secret bytes (v1, §3.2). */
const V1_MAX_SECRET_BYTES = 1007;
/** ...of the at most 1023 it reads from the file. */
const V1_READ_BYTES = 1023;

/**
 * The variant a connect header asks for: `'v2'` with bits 0x80 and 0x40, `'v1'` with 0x80 alone,
 * `undefined` when no challenge is wanted (bit 0x40 alone is not a request, §2).
 * @example
 *   accessCheckVersionOf(decodeConnectHeader(hex('cb004d070701000000'))) // => 'v2'
 */
export function accessCheckVersionOf(header: ConnectHeader): AccessCheckVersion | undefined {
  if (!header.wantChallenge) return undefined;
  return header.wantChallengeV2 ? 'v2' : 'v1';
}

/** Challenge (and digest) length N of a variant: 16 for v1, 32 for v2 (§3.2). */
export function challengeLength(v: AccessCheckVersion): 16 | 32 {
  return v === 'v1' ? 16 : 32;
}

function prefixed(tag: number, body: Uint8Array, what: string): Uint8Array {
  if (body.length !== 16 && body.length !== 32) {
    throw new CodecError('NSOMOCK_CODEC_UNENCODABLE', `Failed to encode ${what}: ${body.length} bytes, expected 16 or 32`, {
      details: { offset: 0 },
    });
  }
  const out = new Uint8Array(1 + body.length);
  out[0] = tag;
  out.set(body, 1);
  return out;
}

/**
 * The challenge message: byte 11, then the N challenge bytes (§3.2). Write it in one write (§3.1).
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` unless the challenge has 16 or 32 bytes.
 * @example
 *   encodeChallenge(randomBytes(16)) // => 0b + 16 bytes
 */
export function encodeChallenge(challenge: Uint8Array): Uint8Array {
  return prefixed(CHALLENGE_TAG, challenge, 'challenge');
}

/**
 * The response message: byte 12, then the digest (§3.2); what a client sends.
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` unless the digest has 16 or 32 bytes.
 */
export function encodeChallengeResponse(digest: Uint8Array): Uint8Array {
  return prefixed(CHALLENGE_RESPONSE_TAG, digest, 'challenge response');
}

/**
 * The digest a client must answer (§3.2): v1 = MD5(secret ‖ challenge) where, as the C library
 * does, the secret is the first 1023 file bytes cut at the first NUL and then to 1007 bytes;
 * v2 = SHA-256(every secret byte ‖ challenge). A trailing newline is part of the secret in both.
 * @example
 *   computeAccessResponse(secret, challenge, 'v1') // 16-byte MD5 digest
 */
export function computeAccessResponse(secret: Uint8Array, challenge: Uint8Array, v: AccessCheckVersion): Uint8Array {
  let key = secret;
  if (v === 'v1') {
    key = key.subarray(0, V1_READ_BYTES);
    const nul = key.indexOf(0);
    if (nul >= 0) key = key.subarray(0, nul);
    key = key.subarray(0, V1_MAX_SECRET_BYTES);
  }
  const hash = createHash(v === 'v1' ? 'md5' : 'sha256');
  hash.update(key);
  hash.update(challenge);
  return new Uint8Array(hash.digest());
}

/**
 * Checks a client's response message (byte 12 + digest, as received) in constant time.
 * False for a wrong first byte, a wrong length or a wrong digest (§3.3, §3.4).
 * @example
 *   checkChallengeResponse(secret, challenge, responseBytes, 'v2') // => true
 */
export function checkChallengeResponse(
  secret: Uint8Array,
  challenge: Uint8Array,
  responseBytes: Uint8Array,
  v: AccessCheckVersion,
): boolean {
  const n = challengeLength(v);
  if (responseBytes.length !== 1 + n || responseBytes[0] !== CHALLENGE_RESPONSE_TAG) return false;
  const expected = computeAccessResponse(secret, challenge, v);
  return timingSafeEqual(expected, responseBytes.subarray(1));
}
