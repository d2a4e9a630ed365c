/**
 * The fast path of `serve` and `run`: yargs costs about 60 ms to load, which is most of the
 * startup budget of `nso-mock serve` (target: ready line within 150 ms, bench/startup.bench.ts).
 * For the common, simple command lines (`serve --port 0`, `run f.yaml --report r.json`) Node's
 * built-in `util.parseArgs` reads the same option table (SERVER_OPTIONS) and the same checks
 * apply. Anything else — `--help`, an unknown or repeated option, `--no-x`, camelCase, `--`, a value
 * that is not plainly valid — returns undefined, and yargs parses it and produces the usual help
 * and error messages. test/cli/fast-args.test.ts checks that both paths agree.
 */
import { parseArgs } from 'node:util';
import { checkServerArgs, SERVER_OPTIONS, type ServerArgs } from './commands/options.js';
import type { ServerCommandArgs } from './server-command.js';
import type { ValidateArgs } from './commands/validate.js';

const INTEGER = /^-?[0-9]+$/;

/**
 * Parses `serve …` / `run <file> …` without yargs, or returns undefined to let yargs do it.
 * @example
 *   fastServerArgs(['serve', '--port', '0']) // { mode: 'serve', port: 0, host: '127.0.0.1', … }
 */
export function fastServerArgs(argv: readonly string[]): ServerCommandArgs | undefined {
  const [command, ...rest] = argv;
  if (command !== 'serve' && command !== 'run') return undefined;
  const specs = command === 'serve' ? { ...SERVER_OPTIONS, scenario: { type: 'string' as const } } : SERVER_OPTIONS;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, { type: spec.type === 'boolean' ? 'boolean' : 'string' }])) as never,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch {
    return undefined;
  }
  // After `--` parseArgs takes everything as positionals, where yargs does not read a `<file>`
  // (`run -- serve` is an error there, a file named serve here): leave `--` to yargs.
  if ((parsed.tokens ?? []).some((t) => t.kind === 'option-terminator')) return undefined;
  // yargs turns a repeated option into a list (and then rejects it); leave those to yargs.
  const names = (parsed.tokens ?? []).flatMap((t) => (t.kind === 'option' ? [t.name] : []));
  if (new Set(names).size !== names.length) return undefined;
  const positionals = parsed.positionals;
  if (command === 'serve' ? positionals.length !== 0 : positionals.length !== 1) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw: unknown = (parsed.values as Record<string, unknown>)[name];
    if (raw === undefined) {
      if ('default' in spec && spec.default !== undefined) out[name] = spec.default;
      continue;
    }
    // A list option (`--schema a.yang b.yang`) takes the values after it: yargs reads those.
    if ('array' in spec && spec.array === true) return undefined;
    if (spec.type === 'number') {
      if (typeof raw !== 'string' || !INTEGER.test(raw)) return undefined;
      out[name] = Number(raw);
    } else if (spec.type === 'string') {
      if (typeof raw !== 'string' || raw === '' || raw.startsWith('-')) return undefined;
      if ('choices' in spec && spec.choices !== undefined && !spec.choices.includes(raw)) return undefined;
      out[name] = raw;
    } else {
      out[name] = raw;
    }
  }
  if (checkServerArgs(out) !== undefined) return undefined;
  const args = out as unknown as ServerArgs & { scenario?: string };
  return command === 'serve' ? { ...args, mode: 'serve' } : { ...args, scenario: positionals[0] ?? '', mode: 'run' };
}

/**
 * The fast path of `validate F...` (no options): the files, or undefined to let yargs parse the
 * line (an option, `--`, `--help`, no file). Loading yargs was a third of the command's CPU.
 * @example
 *   fastValidateArgs(['validate', 'a.yaml', 'b.yaml']) // { files: ['a.yaml', 'b.yaml'], format: 'text' }
 */
export function fastValidateArgs(argv: readonly string[]): ValidateArgs | undefined {
  const [command, ...files] = argv;
  if (command !== 'validate' || files.length === 0) return undefined;
  if (files.some((f) => f === '' || f.startsWith('-'))) return undefined;
  return { files, format: 'text' };
}
