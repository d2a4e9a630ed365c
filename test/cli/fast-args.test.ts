import fc from 'fast-check';
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { checkServerArgs, SERVER_OPTIONS, withServerOptions, type ServerArgs } from '../../src/cli/commands/options.js';
import { validateCommand } from '../../src/cli/commands/validate.js';
import { fastServerArgs, fastValidateArgs } from '../../src/cli/fast-args.js';
import { fcRuns } from '../support/fc-config.js';

/** What yargs makes of a `serve`/`run` command line, restricted to the declared keys (undefined = rejected). */
async function viaYargs(argv: readonly string[]): Promise<Record<string, unknown> | undefined> {
  let result: Record<string, unknown> | undefined;
  let failed = false;
  const program = yargs([...argv])
    .command(
      'serve',
      '',
      (y) => withServerOptions(y.option('scenario', { type: 'string' })),
      (a) => void (result = { ...a, mode: 'serve' }),
    )
    .command(
      'run <file>',
      '',
      (y) => withServerOptions(y.positional('file', { type: 'string', demandOption: true })),
      (a) => void (result = { ...a, scenario: a['file'], mode: 'run' }),
    )
    .strict()
    .exitProcess(false)
    .fail(() => {
      failed = true;
      throw new Error('usage');
    });
  try {
    await program.parseAsync();
  } catch {
    failed = true;
  }
  if (failed || result === undefined) return undefined;
  const keys = [...Object.keys(SERVER_OPTIONS), 'scenario', 'mode'];
  return Object.fromEntries(keys.filter((k) => result?.[k] !== undefined).map((k) => [k, result?.[k]]));
}

const optionArb: fc.Arbitrary<string[]> = fc.oneof(
  fc.constantFrom('127.0.0.1', '::1', '0.0.0.0').map((h) => ['--host', h]),
  fc.integer({ min: 0, max: 65535 }).map((p) => ['--port', String(p)]),
  fc.integer({ min: 0, max: 65535 }).map((p) => [`--port=${p}`]),
  fc.constantFrom('/tmp/a.sock', 'nso-ipc').map((u) => ['--unix', u]),
  fc.constantFrom('auto', 'nso57', 'nso62', 'nso66', 'nso6x').map((p) => ['--profile', p]),
  fc.integer({ min: 0, max: 1_000_000 }).map((s) => ['--seed', String(s)]),
  fc.integer({ min: -1000, max: 1_000_000 }).map((s) => [`--seed=${s}`]),
  fc.constantFrom('r.json', 'out/report.json').map((f) => ['--report', f]),
  fc.constantFrom('j.xml').map((f) => ['--junit', f]),
  fc.constantFrom('text', 'json').map((f) => ['--log-format', f]),
  fc.constant(['--verbose']).map((o) => [...o]),
  fc.constantFrom('s.key').map((f) => ['--access-secret-file', f]),
  fc.constantFrom('--max-frame-bytes', '--max-subscribe-frame-bytes', '--max-decoded-bytes', '--max-subscribe-decoded-bytes', '--journal-max-bytes').chain((o) =>
    fc.integer({ min: 1, max: 1 << 24 }).map((n) => [o, String(n)]),
  ),
  fc.constantFrom('5s', '250ms', '1m30s', '0', '1.5s', '576h').map((d) => ['--input-stall-timeout', d]),
);

/** Lines the fast path hands to yargs, and why. */
const declined: readonly (readonly string[])[] = [
  ['serve', '--help'],
  ['serve', '--port', '70000'],
  ['serve', '--port', 'abc'],
  ['serve', '--port', '1', '--port', '2'],
  ['serve', '--no-verbose'],
  ['serve', '--seed', '-1'],
  ['serve', '--logFormat', 'json'],
  ['serve', '--profile', 'nso99'],
  ['serve', 'extra'],
  ['run'],
  ['run', 'a.yaml', 'b.yaml'],
  ['run', 'a.yaml', '--scenario', 'b.yaml'],
  // Found by the property below (seed 1139647677): yargs reads no <file> after `--`.
  ['run', '--', 'serve'],
  ['run', 'a.yaml', '--'],
  ['serve', '--'],
  ['validate', 'a.yaml'],
  [],
];

describe('the fast path of serve/run', () => {
  it('parses the README command lines', () => {
    expect(fastServerArgs(['serve'])).toEqual({ mode: 'serve', host: '127.0.0.1', 'log-format': 'text', verbose: false });
    expect(fastServerArgs(['serve', '--port', '0'])).toEqual({ mode: 'serve', host: '127.0.0.1', port: 0, 'log-format': 'text', verbose: false });
    expect(fastServerArgs(['run', 'x.yaml', '--report', 'r.json', '--junit', 'j.xml'])).toEqual({
      mode: 'run',
      scenario: 'x.yaml',
      host: '127.0.0.1',
      report: 'r.json',
      junit: 'j.xml',
      'log-format': 'text',
      verbose: false,
    });
  });

  it.each(declined.map((argv) => [argv]))('leaves %j to yargs', (argv) => {
    expect(fastServerArgs(argv)).toBeUndefined();
  });

  it('shares the checks with yargs', () => {
    expect(checkServerArgs({ port: 70000 })).toBe('--port must be an integer from 0 to 65535, got 70000');
    expect(checkServerArgs({ seed: 1.5 })).toBe('--seed must be an integer, got 1.5');
    expect(checkServerArgs({ port: 1, seed: 2, host: 'h' } satisfies Partial<ServerArgs>)).toBeUndefined();
  });

  describe('properties', () => {
    it('whatever it accepts, yargs parses to the same arguments', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<readonly string[]>(['serve'], ['serve', '--scenario', 's.yaml'], ['run', 'f.yaml']),
          fc.uniqueArray(optionArb, { maxLength: 6, selector: (o) => (o[0] ?? '').replace(/=.*$/, '') }),
          async (head, options) => {
            const argv = [...head, ...options.flat()];
            const fast = fastServerArgs(argv);
            expect(fast).toBeDefined();
            expect(fast).toEqual(await viaYargs(argv));
          },
        ),
        { numRuns: fcRuns(0.5) },
      );
    });

    it('never accepts what yargs rejects', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(fc.constantFrom('serve', 'run', '--port', '--seed', '--profile', '--verbose', '-p', '--', 'x.yaml', '1', '-1', '1.5', 'nso6x', '=', '--max-frame-bytes', '--journal-max-bytes', '0', '--input-stall-timeout', '5s', '5', '1000h')), {
            maxLength: 6,
          }),
          async (argv) => {
            const fast = fastServerArgs(argv);
            if (fast !== undefined) expect(fast).toEqual(await viaYargs(argv));
          },
        ),
        { numRuns: fcRuns(0.5) },
      );
    });
  });
});

/** What yargs makes of a `validate` line with the real command's builder (undefined = rejected or not validate). */
async function validateViaYargs(argv: readonly string[]): Promise<Record<string, unknown> | undefined> {
  let result: Record<string, unknown> | undefined;
  let failed = false;
  const program = yargs([...argv])
    .command({ ...validateCommand, handler: (a: Record<string, unknown>) => void (result = a) } as never)
    .strict()
    .exitProcess(false)
    .fail(() => {
      failed = true;
      throw new Error('usage');
    });
  try {
    await program.parseAsync();
  } catch {
    failed = true;
  }
  if (failed || result === undefined) return undefined;
  return { files: result['files'], format: result['format'], ...(result['profile'] === undefined ? {} : { profile: result['profile'] }) };
}

describe('the fast path of validate', () => {
  it('takes plain file lists, as yargs reads them, and leaves everything else to yargs', async () => {
    for (const line of [['validate', 'a.yaml'], ['validate', 'a.yaml', 'examples/b.yaml', '1']]) {
      expect(fastValidateArgs(line)).toEqual(await validateViaYargs(line));
    }
    for (const line of [['validate'], ['validate', '--format', 'json', 'a.yaml'], ['validate', 'a.yaml', '--profile', 'nso6x'], ['validate', '--', 'a.yaml'], ['validate', '--help'], ['run', 'a.yaml'], ['validate', '']]) {
      expect(fastValidateArgs(line)).toBeUndefined();
    }
  });

  it('agrees with yargs on every file list it takes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.stringMatching(/^[a-z0-9._/-]{1,12}$/), { minLength: 1, maxLength: 4 }), async (files) => {
        const line = ['validate', ...files];
        const fast = fastValidateArgs(line);
        if (fast !== undefined) expect(fast).toEqual(await validateViaYargs(line));
        else expect(files.some((f) => f.startsWith('-'))).toBe(true);
      }),
      { numRuns: fcRuns() },
    );
  });
});
