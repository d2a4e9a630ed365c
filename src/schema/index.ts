/** The schema layer's public face: data models (YANG, compiled .fxs) → `Schema`, and NSO's tag hashes. */
export type { Schema, SchemaChoice, SchemaLeafType, SchemaNamespace, SchemaNode, SchemaNodeKind } from './model.js';
export { phash2 } from './phash2.js';
