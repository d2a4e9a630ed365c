// The public surface of the codec (`nso-mock/codec`). Explicit list: nothing is exported by accident.
export * from './tags.js';
export * from './errors.js';
export * from './term.js';
export { ByteWriter } from './byte-writer.js';
export { ByteReader } from './byte-reader.js';
export { encodeTerm, encodeTermInto, type EncodeOptions } from './encode.js';
export { decodeTerm, decodeTermAt, DEFAULT_DECODE_LIMITS, type DecodeLimits } from './decode.js';
export { termEqual } from './term-equal.js';
