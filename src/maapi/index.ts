/** The MAAPI layer's public face: the server side of MAAPI (MAAPI.md) for event consumers. */
export { createMaapiServer, type MaapiCall, type MaapiChannel, type MaapiServer, type MaapiServerOptions } from './server.js';
export { compileTransaction, type DiffItem, type MaapiChangeInput, type MaapiTransaction, type MaapiTransactionInput } from './transaction.js';
export { ERROR_FLAG, ITER, MAAPI_ERR, MAAPI_OPS, MOP, opName, type OpSpec } from './op-codes.js';
export { CHANGE_OPS, type ChangeOp } from '../schema/index.js';
export { errorReply, itemFrame, okReply, parseRequest, MaapiFrameReader, type MaapiRequest } from './wire.js';
export { DIFF_BADSTATE_REASON } from './ops/diff-iterate.js';
export { createMaapiWiring, type MaapiWiring } from './wiring.js';
