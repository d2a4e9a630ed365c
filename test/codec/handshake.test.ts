import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCESS_OK,
  accessCheckVersionOf,
  challengeLength,
  checkChallengeResponse,
  CLIENT_TYPE_EVENT_MANAGER,
  computeAccessResponse,
  decodeConnectHeader,
  decodeVersionReply,
  encodeChallenge,
  encodeChallengeResponse,
  encodeConnectHeader,
  encodeVersionReply,
  NSO57_LIBRARY_VERSION,
  NSO57_PROTOCOL_VERSION,
  versionReplyFor,
  type ConnectHeader,
} from '../../src/codec/index.js';
import { codecErrorCode as codecCode } from '../support/codec-errors.js';
import { fcRuns } from '../support/fc-config.js';
import { fromHex, loadHandshake, toHex } from '../support/vectors.js';

const hs = loadHandshake();

describe('connect header (PROTOCOL.md §2)', () => {
  for (const v of hs.connect_headers) {
    it(`${v.name} decodes to its documented fields and re-encodes byte-exact`, () => {
      const h = decodeConnectHeader(fromHex(v.hex));
      expect(h.clientType).toBe(v.fields['client_type']);
      if (v.fields['proto_vsn'] !== undefined) expect(h.protocolVersion).toBe(v.fields['proto_vsn']);
      if (v.fields['lib_vsn'] !== undefined) expect(h.libraryVersion).toBe(Number(v.fields['lib_vsn']));
      if (v.fields['max_depth'] !== undefined) expect(h.maxDepth).toBe(v.fields['max_depth']);
      if (v.fields['max_keylen'] !== undefined) expect(h.maxKeyLength).toBe(v.fields['max_keylen']);
      expect(h.wantChallenge).toBe(v.fields['flag_0x80_want_challenge'] === true);
      expect(h.wantChallengeV2).toBe(v.fields['flag_0x40_want_challenge_v2_sha256'] === true);
      expect(toHex(encodeConnectHeader(h))).toBe(v.hex);
    });
  }
  it('uses the documented constants', () => {
    const h = decodeConnectHeader(fromHex('0b004d070701003c12'));
    expect([h.clientType, h.protocolVersion, h.libraryVersion]).toEqual([
      CLIENT_TYPE_EVENT_MANAGER,
      NSO57_PROTOCOL_VERSION,
      NSO57_LIBRARY_VERSION,
    ]);
  });
  it('needs exactly 9 bytes', () => {
    expect(codecCode(() => decodeConnectHeader(fromHex('0b004d0707010000')))).toBe('NSOMOCK_CODEC_TRUNCATED');
    expect(codecCode(() => decodeConnectHeader(fromHex('0b004d07070100000000')))).toBe('NSOMOCK_CODEC_TRAILING_BYTES');
  });
  it('refuses out-of-range fields when encoding', () => {
    const h = decodeConnectHeader(fromHex('0b004d070701003c12'));
    expect(codecCode(() => encodeConnectHeader({ ...h, maxDepth: 256 }))).toBe('NSOMOCK_CODEC_UNENCODABLE');
    expect(codecCode(() => encodeConnectHeader({ ...h, clientType: 64 }))).toBe('NSOMOCK_CODEC_UNENCODABLE');
  });
});

describe('version reply (PROTOCOL.md §4)', () => {
  for (const v of hs.server_replies) {
    it(`${v.name} round-trips byte-exact`, () => {
      const r = decodeVersionReply(fromHex(v.hex));
      if (v.fields?.['status'] !== undefined) expect(r.status).toBe(v.fields['status']);
      if (v.fields?.['max_depth'] !== undefined) expect(r.maxDepth).toBe(v.fields['max_depth']);
      expect(toHex(encodeVersionReply(r))).toBe(v.hex);
    });
  }
  it('the §4.3 lenient reply echoes the client and fills 60/18 for Java/econfd', () => {
    const byName = (n: string): string => hs.server_replies.find((r) => r.name === n)!.hex;
    const header = (n: string): ConnectHeader => decodeConnectHeader(fromHex(hs.connect_headers.find((h) => h.name === n)!.hex));
    expect(toHex(encodeVersionReply(versionReplyFor(header('c_libconfd_5_7_1'))))).toBe(byName('ok_echo_c'));
    expect(toHex(encodeVersionReply(versionReplyFor(header('java_or_econfd_5_7_1'))))).toBe(byName('ok_to_java'));
  });
  it('rejects an unknown status', () => {
    expect(codecCode(() => decodeVersionReply(fromHex('03004d070701003c12')))).toBe('NSOMOCK_CODEC_INVALID');
  });
});

describe('access check (PROTOCOL.md §3)', () => {
  for (const v of hs.access_check) {
    it(`${v.name}: challenge, response and result byte-exact`, () => {
      const version = v.name.startsWith('v1') ? 'v1' : 'v2';
      const header = decodeConnectHeader(fromHex(version === 'v1' ? '8b004d070701003c12' : 'cb004d070701000000'));
      expect(accessCheckVersionOf(header)).toBe(version);
      const secret = fromHex(v.secret_file_bytes_hex);
      const challengeMsg = fromHex(v.server_challenge_hex);
      const challenge = challengeMsg.subarray(1);
      expect(challenge.length).toBe(challengeLength(version));
      expect(toHex(encodeChallenge(challenge))).toBe(v.server_challenge_hex);
      const digest = computeAccessResponse(secret, challenge, version);
      expect(toHex(encodeChallengeResponse(digest))).toBe(v.client_response_hex);
      expect(checkChallengeResponse(secret, challenge, fromHex(v.client_response_hex), version)).toBe(true);
      expect(toHex(Uint8Array.of(ACCESS_OK))).toBe(v.server_ok_hex);
      const wrong = fromHex(v.client_response_hex);
      wrong[5] = wrong[5]! ^ 1;
      expect(checkChallengeResponse(secret, challenge, wrong, version)).toBe(false);
      expect(checkChallengeResponse(secret, challenge, wrong.subarray(0, 10), version)).toBe(false);
    });
  }
  it('needs no challenge without bit 0x80', () => {
    expect(accessCheckVersionOf(decodeConnectHeader(fromHex('0b004d070701003c12')))).toBeUndefined();
    expect(accessCheckVersionOf(decodeConnectHeader(fromHex('4b004d070701003c12')))).toBeUndefined();
  });
  it('v1 applies the C rules: secret cut at the first NUL and at 1007 bytes; v2 uses every byte', () => {
    const challenge = new Uint8Array(16).fill(7);
    const base = new Uint8Array(1007).fill(0x61);
    const longer = new Uint8Array(1100).fill(0x61);
    expect(toHex(computeAccessResponse(longer, challenge, 'v1'))).toBe(toHex(computeAccessResponse(base, challenge, 'v1')));
    const withNul = Uint8Array.of(0x61, 0x62, 0, 0x63);
    expect(toHex(computeAccessResponse(withNul, challenge, 'v1'))).toBe(toHex(computeAccessResponse(Uint8Array.of(0x61, 0x62), challenge, 'v1')));
    const c32 = new Uint8Array(32).fill(7);
    expect(toHex(computeAccessResponse(withNul, c32, 'v2'))).not.toBe(toHex(computeAccessResponse(Uint8Array.of(0x61, 0x62), c32, 'v2')));
  });
});

describe('properties', () => {
  it('any 9 bytes decode as a connect header and re-encode to themselves', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 9, maxLength: 9 }), (bytes) => {
        expect(toHex(encodeConnectHeader(decodeConnectHeader(bytes)))).toBe(toHex(bytes));
      }),
      { numRuns: fcRuns() },
    );
  });
  it('a response computed for the challenge passes the check; for another challenge it fails', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('v1' as const, 'v2' as const), fc.uint8Array({ minLength: 32, maxLength: 32 }), (secret, v, c) => {
        const challenge = c.subarray(0, challengeLength(v));
        const response = encodeChallengeResponse(computeAccessResponse(secret, challenge, v));
        expect(checkChallengeResponse(secret, challenge, response, v)).toBe(true);
        const other = challenge.slice();
        other[0] = other[0]! ^ 0xff;
        expect(checkChallengeResponse(secret, other, response, v)).toBe(false);
      }),
      { numRuns: fcRuns() },
    );
  });
});
