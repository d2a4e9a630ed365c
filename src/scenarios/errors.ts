/**
 * The errors of the scenarios layer (STYLE.md §3). A `ScenarioError` lists every problem of a
 * scenario, each as `file:line:column: path: expected X, found Y`; its details carry the first
 * problem's position (file, line, column, path) and the full list.
 */
import { NsoMockError, type NsoMockErrorCode } from '../codec/index.js';

/**
 * One problem in a scenario file. `line`/`column` are 1-based; a problem with no position of its
 * own (an in-memory document, an unreadable file) is at line 1, column 1.
 */
export interface ScenarioProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Where in the document: `steps[2].emit.th`, `(root)` for the top level. */
  readonly path: string;
  readonly expected: string;
  readonly found: string;
}

/**
 * Formats a problem as one line: `file:line:col: path: expected X, found Y`.
 * @example
 *   formatProblem({ file: 'a.yaml', line: 4, column: 9, path: 'steps[0].wait', expected: 'a duration', found: '"2 sec"' })
 *   // 'a.yaml:4:9: steps[0].wait: expected a duration, found "2 sec"'
 */
export function formatProblem(problem: ScenarioProblem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  return `${where}: ${problem.path}: expected ${problem.expected}, found ${problem.found}`;
}

/** Details of a {@link ScenarioError}. */
export interface ScenarioErrorDetails {
  /** The position of the first problem (STYLE.md §3: file, line, column, path). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
  /** Every problem, sorted by file and position. */
  readonly problems: readonly ScenarioProblem[];
}

/**
 * A scenario that cannot be loaded: `NSOMOCK_SCENARIO_INVALID` (YAML or schema or semantic
 * problems) or `NSOMOCK_SCENARIO_INCLUDE` (only include problems: unreadable file, cycle).
 * The message lists every problem, one per line, after a summary line.
 */
export class ScenarioError extends NsoMockError<ScenarioErrorDetails> {
  /**
   * @throws never; build one with {@link scenarioError}.
   */
  constructor(code: NsoMockErrorCode, message: string, details: ScenarioErrorDetails, cause?: unknown) {
    super(code, message, cause === undefined ? { details } : { details, cause });
  }
}

/**
 * Builds the error for a non-empty list of problems (sorted, duplicates dropped).
 * @example
 *   throw scenarioError('scenario.yaml', problems, 'NSOMOCK_SCENARIO_INVALID');
 */
export function scenarioError(file: string, problems: readonly ScenarioProblem[], code: NsoMockErrorCode): ScenarioError {
  const sorted = sortProblems(problems);
  const first = sorted[0] ?? { file, line: 1, column: 1, path: '(root)', expected: 'a scenario', found: 'nothing' };
  const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
  const message = `Failed to load scenario: ${count} (${file})\n${sorted.map(formatProblem).join('\n')}`;
  return new ScenarioError(code, message, {
    file: first.file,
    line: first.line,
    column: first.column,
    path: first.path,
    problems: sorted,
  });
}

/** Sorts by file (in order of first appearance), then line and column; drops exact duplicates. */
export function sortProblems(problems: readonly ScenarioProblem[]): ScenarioProblem[] {
  const seen = new Set<string>();
  const fileRank = new Map<string, number>();
  const out: ScenarioProblem[] = [];
  for (const p of problems) {
    const key = formatProblem(p);
    if (seen.has(key)) continue;
    seen.add(key);
    if (!fileRank.has(p.file)) fileRank.set(p.file, fileRank.size);
    out.push(p);
  }
  const rank = (p: ScenarioProblem): number => fileRank.get(p.file) ?? 0;
  return out.sort((a, b) => rank(a) - rank(b) || a.line - b.line || a.column - b.column);
}
