import {
  CodecError,
  decodeConnectHeader,
  decodeTerm,
  FrameDecoder,
  type NsoMockErrorCode,
} from '../../src/codec/index.js';
import type { MalformedBytes } from '../../src/arbitraries/malformed.js';

/** The frame limit the malformed tests give the generators and the frame decoder. */
export const MALFORMED_TEST_MAX_FRAME: number = 1 << 20;

/**
 * What a receiver makes of malformed bytes: the codec error code, `'incomplete'` when the frame
 * decoder is still waiting for bytes, or `'refused-header'` for a header a strict mock refuses.
 */
export function verdictOf(m: MalformedBytes): NsoMockErrorCode | 'incomplete' | 'refused-header' | 'accepted' {
  if (m.kind === 'bad-header') {
    const header = decodeConnectHeader(m.bytes);
    const v2WithoutV1 = (header.rawFlags & 0x40) !== 0 && (header.rawFlags & 0x80) === 0;
    return header.clientType !== 11 || v2WithoutV1 ? 'refused-header' : 'accepted';
  }
  try {
    const decoder = new FrameDecoder({ maxFrameBytes: MALFORMED_TEST_MAX_FRAME });
    decoder.push(m.bytes);
    const payload = decoder.readFrame();
    if (payload === undefined) return 'incomplete';
    decodeTerm(payload);
    return 'accepted';
  } catch (error) {
    if (error instanceof CodecError) return error.code;
    throw error;
  }
}

