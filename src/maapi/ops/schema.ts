/**
 * Schema loading (MAAPI.md §M6): GET_SCHEMA_FILE_PATH 262 (refused, so clients fall back to the
 * socket), LOAD_ALL_NS 232, LOAD_NS_LIST 253, LOAD_MNS_MAPS 264, LOAD_HASH_DB 231.
 */
import { atom } from '../../codec/index.js';
import { loadAllNsFrames, loadHashDbFrames } from '../../schema/index.js';
import type { OpHandler } from '../context.js';
import { MAAPI_ERR } from '../op-codes.js';

/** §M6.1: the mock cannot write NSO's shared-memory schema file: error 1, the capture's text. */
export const getSchemaFilePath: OpHandler = (ctx) => ctx.error(MAAPI_ERR.NOEXISTS, 'no shared memory schema');

export const loadAllNs: OpHandler = (ctx) => ctx.items(loadAllNsFrames(ctx.schema), `${ctx.schema.namespaces.length} namespace(s)`);

/** §M6.5: `{0, [{UriAtom, Flags}, …]}` → the same stream for those namespaces. */
export const loadNsList: OpHandler = (ctx) => {
  const term = ctx.request.term;
  const wanted = new Set<string>();
  const uris = term?.kind === 'tuple' ? term.elements[1] : undefined;
  if (uris?.kind === 'list') {
    for (const e of uris.elements) {
      const uri = e.kind === 'tuple' ? e.elements[0] : undefined;
      if (uri?.kind === 'atom') wanted.add(uri.name);
    }
  }
  ctx.items(loadAllNsFrames(ctx.schema, { uris: [...wanted] }), `${wanted.size} namespace(s) asked`);
};

/** §M6.3: the mock has no mount points, so `eof` alone (what the capture's client accepted). */
export const loadMnsMaps: OpHandler = (ctx) => ctx.items([atom('eof')], 'no mounts');

export const loadHashDb: OpHandler = (ctx) => ctx.items(loadHashDbFrames(ctx.schema), `${ctx.schema.hashes.size} hash(es)`);
