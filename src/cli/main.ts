#!/usr/bin/env node
/**
 * The `nso-mock` command line. Simple `serve`/`run` command lines take the fast path (no yargs:
 * see fast-args.ts); everything else goes through the yargs program. Implementations load on
 * demand, so each command pays only for what it uses (bench/startup.bench.ts).
 */
import { ignoreClosedOutput } from './closed-output.js';
import { fastServerArgs } from './fast-args.js';

ignoreClosedOutput(process.stdout);
ignoreClosedOutput(process.stderr);
const argv = process.argv.slice(2);
const fast = fastServerArgs(argv);
if (fast !== undefined) {
  const { runServer } = await import('./server-command.js');
  process.exitCode = await runServer(fast);
} else {
  const { runCli } = await import('./program.js');
  await runCli(argv);
}
