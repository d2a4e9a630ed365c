// The public surface of the codec (`nso-mock/codec`). Explicit list: nothing is exported by accident.
export * from './tags.js';
export * from './errors.js';
export * from './term.js';
export { ByteWriter } from './byte-writer.js';
export { ByteReader } from './byte-reader.js';
export { encodeTerm, encodeTermInto, type EncodeOptions } from './encode.js';
export { DECODE_COST, decodeTerm, decodeTermAt, DEFAULT_DECODE_LIMITS, type DecodeLimits } from './decode.js';
export { termEqual } from './term-equal.js';
export { DEFAULT_FORMAT_MAX_LENGTH, formatInteger, formatTerm, type FormatTermOptions } from './term-format.js';
export { encodeFrame, frameBytes, FrameDecoder, type FrameDecoderOptions } from './frame.js';
export {
  CLIENT_TYPE_EVENT_MANAGER,
  NSO57_PROTOCOL_VERSION,
  NSO57_LIBRARY_VERSION,
  CONNECT_HEADER_BYTES,
  decodeConnectHeader,
  encodeConnectHeader,
  encodeVersionReply,
  decodeVersionReply,
  versionReplyFor,
  type ConnectHeader,
  type VersionReply,
} from './connect-header.js';
export {
  ACCESS_OK,
  ACCESS_DENIED,
  CHALLENGE_TAG,
  CHALLENGE_RESPONSE_TAG,
  accessCheckVersionOf,
  challengeLength,
  encodeChallenge,
  encodeChallengeResponse,
  computeAccessResponse,
  checkChallengeResponse,
  type AccessCheckVersion,
} from './access-check.js';
export * from './notifications/index.js';
