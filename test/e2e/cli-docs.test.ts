/**
 * docs/cli.md cannot drift from the CLI: every command the built CLI's `--help` lists has a
 * section, and every long option each command's `--help` prints appears in that section (options
 * every command takes in their own section), together with an example command line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, startCli } from './cli-process.js';

const docs = readFileSync(join(repoRoot, 'docs/cli.md'), 'utf8');

/** The text from the first `## ` heading that contains `title` to the next `## ` heading. */
function section(title: string): string {
  const parts = docs.split(/^(?=## )/m);
  return parts.find((p) => p.startsWith('## ') && p.split('\n')[0]?.includes(title) === true) ?? '';
}

/** The long options in the option list of a `--help` text. */
function optionsOf(help: string): string[] {
  const options = help
    .split('\n')
    .flatMap((line) => [...line.matchAll(/^\s{2}(--[a-z][a-z-]*)/g)].map((m) => m[1] ?? ''));
  return [...new Set(options)];
}

async function help(args: readonly string[]): Promise<string> {
  const cli = startCli([...args, '--help']);
  expect(await cli.exited).toBe(0);
  return cli.stdout.join('\n');
}

const GLOBAL = ['--help', '--version'];

describe('docs/cli.md against --help', () => {
  it('lists every command, and the commands found are the ones documented', async () => {
    const top = await help([]);
    const commands = [...top.matchAll(/^\s+nso-mock ([a-z]+)/gm)].map((m) => m[1] ?? '');
    expect(commands).toEqual(['serve', 'run', 'validate', 'decode', 'schema', 'conform', 'fuzz', 'record']);
    for (const option of optionsOf(top)) expect(GLOBAL).toContain(option);
    const everywhere = section('Options every command takes');
    for (const option of GLOBAL) expect(everywhere, option).toContain(`\`${option}\``);
  });

  it.each(['serve', 'run', 'validate', 'decode', 'schema', 'conform', 'fuzz', 'record'])('%s: every option of --help is documented in its section, with an example', async (command) => {
    const options = optionsOf(await help([command]));
    // Not vacuous: every command prints at least --help and --version.
    expect(options).toEqual(expect.arrayContaining(GLOBAL));
    const text = section(`\`${command}`);
    expect(text, `no "## \`${command}\`" section in docs/cli.md`).not.toBe('');
    const missing = options.filter((o) => !GLOBAL.includes(o) && !text.includes(`\`${o}`));
    expect(missing, `options of ${command} --help missing from its section of docs/cli.md`).toEqual([]);
    expect(text).toMatch(new RegExp(`^(?:\\$ )?nso-mock ${command}\\b`, 'm'));
  });
});
