/**
 * Limits of a scenario's nesting depth and size, checked before the YAML parser, the schema check
 * and the compiler see it: each of them recurses. The loader applies them to every file it reads
 * (the top file and each include: `run`, `validate`, `POST /play` alike) and to an in-memory
 * document; the control API also checks a posted body first. Without them a 5,000-deep body or
 * include overflowed the stack (a 500, or "Maximum call stack size exceeded" as a YAML problem);
 * now it is a problem in the loader's own form (`file:line:col: path: expected X, found Y`).
 *
 * The checks are iterative (an explicit stack), so they cannot overflow themselves.
 */

/** Deepest nesting of objects and arrays (or YAML flow and block collections) a scenario may have. */
export const MAX_SCENARIO_DEPTH = 128;
/** Largest scenario file or document: YAML text in UTF-16 code units, or a document's estimated JSON size. */
export const MAX_SCENARIO_BYTES: number = 4 * 1024 * 1024;

/** A problem in the shape of the scenario loader's (`ScenarioProblem`). */
export interface ScenarioBodyProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
  readonly expected: string;
  readonly found: string;
}

/** `steps[0].emit.a`, cut after 12 segments. */
function pathText(segments: readonly (string | number)[]): string {
  if (segments.length === 0) return '(root)';
  const shown = segments.slice(0, 12);
  const text = shown.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
  return segments.length > shown.length ? `${text}…` : text;
}

/**
 * The first limit a scenario (a document or YAML text) breaks, or `undefined`.
 * @example
 *   checkScenarioBody({ name: 'x', steps: [] }, 'control-api') // undefined
 */
export function checkScenarioBody(scenario: unknown, file: string): ScenarioBodyProblem | undefined {
  return typeof scenario === 'string' ? checkText(scenario, file) : checkDocument(scenario, file);
}

function checkDocument(root: unknown, file: string): ScenarioBodyProblem | undefined {
  // Depth-first with an explicit stack of [value, depth, path].
  const stack: [unknown, number, (string | number)[]][] = [[root, 0, []]];
  let bytes = 0;
  while (stack.length > 0) {
    const [value, depth, path] = stack.pop()!;
    if (typeof value === 'string') {
      bytes += value.length + 2;
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_SCENARIO_DEPTH) {
        return { file, line: 1, column: 1, path: pathText(path), expected: `nesting at most ${MAX_SCENARIO_DEPTH} deep`, found: `objects or arrays nested deeper` };
      }
      bytes += 2;
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i -= 1) stack.push([value[i], depth + 1, [...path, i]]);
      } else {
        const keys = Object.keys(value);
        for (let i = keys.length - 1; i >= 0; i -= 1) {
          const key = keys[i]!;
          bytes += key.length + 3;
          stack.push([(value as Record<string, unknown>)[key], depth + 1, [...path, key]]);
        }
      }
    } else {
      bytes += 8;
    }
    if (bytes > MAX_SCENARIO_BYTES) {
      return { file, line: 1, column: 1, path: '(root)', expected: `a scenario of at most ${MAX_SCENARIO_BYTES} bytes`, found: `a larger document` };
    }
  }
  return undefined;
}

/**
 * YAML text: its size, and the nesting of its flow collections (`[`, `{`) and of its indentation,
 * outside quoted scalars and comments — what makes the YAML parser recurse.
 */
function checkText(text: string, file: string): ScenarioBodyProblem | undefined {
  if (text.length > MAX_SCENARIO_BYTES) {
    return { file, line: 1, column: 1, path: '(root)', expected: `a scenario of at most ${MAX_SCENARIO_BYTES} bytes`, found: `${text.length} characters` };
  }
  let depth = 0;
  let line = 1;
  let column = 0;
  let quote: '"' | "'" | undefined;
  let comment = false;
  let lineStart = true;
  let indent = 0;
  /** Indentations of the open block levels. */
  const blocks: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    column += 1;
    if (c === '\n') {
      line += 1;
      column = 0;
      comment = false;
      lineStart = true;
      indent = 0;
      continue;
    }
    if (comment) continue;
    if (lineStart) {
      if (c === ' ' || c === '-' || c === '?' || c === ':') {
        // Block sequence entries (`- - - x`) nest like indentation.
        indent += 1;
        continue;
      }
      lineStart = false;
      if (c !== '#' && quote === undefined && depth === 0) {
        while (blocks.length > 0 && blocks[blocks.length - 1]! >= indent) blocks.pop();
        blocks.push(indent);
        if (blocks.length > MAX_SCENARIO_DEPTH) {
          return { file, line, column, path: '(yaml)', expected: `nesting at most ${MAX_SCENARIO_DEPTH} deep`, found: 'block collections nested deeper' };
        }
      }
    }
    if (quote !== undefined) {
      if (quote === '"' && c === '\\') i += 1;
      else if (c === quote) quote = undefined;
      continue;
    }
    const before = i === 0 ? '\n' : text[i - 1]!;
    // A quote opens a quoted scalar only where a scalar starts (`don't` is a plain scalar).
    if ((c === '"' || c === "'") && ' \t\n[{,:-?'.includes(before)) quote = c;
    else if (c === '#' && ' \t\n'.includes(before)) comment = true;
    else if (c === '[' || c === '{') {
      depth += 1;
      if (depth + blocks.length > MAX_SCENARIO_DEPTH) {
        return { file, line, column, path: '(yaml)', expected: `nesting at most ${MAX_SCENARIO_DEPTH} deep`, found: 'flow collections nested deeper' };
      }
    } else if ((c === ']' || c === '}') && depth > 0) depth -= 1;
  }
  return undefined;
}
