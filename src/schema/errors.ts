/**
 * Errors of the schema layer (STYLE.md §3). A model that does not parse or resolve is misuse of the
 * API (the user's input file), so it throws — always with `file:line:col` and the reason.
 */
import { NsoMockError } from '../codec/index.js';

/** Where a `SchemaError` points: the model file and position, or the keypath / declared field at fault. */
export interface SchemaErrorDetails {
  /** The model file (as given in `loadSchema`'s sources). */
  readonly file?: string;
  /** 1-based line and column of the statement or token at fault. */
  readonly line?: number;
  readonly column?: number;
  /** The keypath at fault (for `NSOMOCK_SCHEMA_PATH`), or the value's path (for `NSOMOCK_SCHEMA_VALUE`). */
  readonly path?: string;
  /** Which part of a declared change or data entry is at fault (`typeChange`, `typeDataEntry`). */
  readonly field?: 'op' | 'path' | 'value';
}

/** The schema layer's codes (rows in docs/errors.md). */
export type SchemaErrorCode = 'NSOMOCK_SCHEMA_INVALID' | 'NSOMOCK_SCHEMA_PATH' | 'NSOMOCK_SCHEMA_VALUE';

/**
 * A model that does not parse or resolve (`NSOMOCK_SCHEMA_INVALID`), a keypath that names no node
 * (`NSOMOCK_SCHEMA_PATH`), a value that does not fit its leaf's type (`NSOMOCK_SCHEMA_VALUE`).
 */
export class SchemaError extends NsoMockError<SchemaErrorDetails> {
  /** The message without the `Failed to …:` frame and the position, for callers that add their own. */
  readonly reason: string;

  constructor(code: SchemaErrorCode, action: string, reason: string, details: SchemaErrorDetails, cause?: unknown) {
    const where =
      details.file !== undefined ? ` (${details.file}${details.line !== undefined ? `:${details.line}:${details.column ?? 1}` : ''})` : '';
    super(code, `Failed to ${action}: ${reason}${where}`, cause === undefined ? { details } : { details, cause });
    this.reason = reason;
  }
}

/** `file:line:col` of a position, the form `SchemaNode.source` holds. */
export function formatSource(file: string, line: number, column: number): string {
  return `${file}:${line}:${column}`;
}
