/** The schema layer's public face: data models (YANG, compiled .fxs) → `Schema`, and NSO's tag hashes. */
export type {
  Schema,
  SchemaCase,
  SchemaChoice,
  SchemaIdentity,
  SchemaLeafType,
  SchemaNamespace,
  SchemaNode,
  SchemaNodeKind,
} from './model.js';
export { phash2 } from './phash2.js';
export { SchemaError, type SchemaErrorCode, type SchemaErrorDetails } from './errors.js';
export { parseYang, type YangStatement } from './yang-parser.js';
export { loadSchema, type SchemaBytesSource, type SchemaSource } from './compile.js';
export { FXS_MAGIC, fxsChunks, readFxs } from './fxs.js';
export { BUILTIN_CONFD_TYPES, WELL_KNOWN_TYPEDEFS } from './types.js';
export { valueToTerm, termToValue, type ValueOptions } from './values.js';
export {
  childByHash,
  keypathFromTerm,
  keypathToTerm,
  parseKeypath,
  sameKeypath,
  schemaPath,
  type KeyValue,
  type KeypathStep,
  listKeys,
  type KeypathTermOptions,
  type ResolvedKeypath,
} from './keypath.js';
export { CS_NODE_FLAGS, loadAllNsFrames, loadHashDbFrames, namespaceRecords, type LoadNsOptions } from './records.js';
export { formatSchemaTree } from './tree.js';
export { CHANGE_OPS, typeChange, typeDataEntry, type ChangeOp, type DeclaredChange, type TypedChange, type TypedDataEntry } from './changes.js';
