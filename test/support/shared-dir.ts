/**
 * Where the tests read the project's shared specification material (the Erlang-produced protocol
 * vectors, PROTOCOL.md, the CPS-NCMP schemas).
 *
 * The canonical copy lives beside the repository (`<repo>/../shared/`), but CI runs on a clean clone
 * in a folder of its own, where nothing sits beside it. So the tests read the copy vendored in
 * `test/fixtures/shared/`, and test/shared-copy.test.ts fails when that copy drifts from the
 * canonical one wherever the canonical one is present.
 */

/** The vendored copy of `shared/` (same layout: `protocol/`, `protocol/vectors/`, `schemas/ncmp/`). */
export const SHARED_DIR: URL = new URL('../fixtures/shared/', import.meta.url);

/** The canonical `shared/` beside the repository (may be absent, e.g. on a CI clone). */
export const CANONICAL_SHARED_DIR: URL = new URL('../../../shared/', import.meta.url);
