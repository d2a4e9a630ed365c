#!/usr/bin/env node
/**
 * The `nso-mock` command line. Simple `serve`/`run`/`validate` command lines take the fast path (no yargs:
 * see fast-args.ts); everything else goes through the yargs program. Implementations load on
 * demand, so each command pays only for what it uses (bench/startup.bench.ts).
 */
import { ignoreClosedOutput } from './closed-output.js';
import { fastServerArgs, fastValidateArgs } from './fast-args.js';

ignoreClosedOutput(process.stdout);
ignoreClosedOutput(process.stderr);
const argv = process.argv.slice(2);
const fast = fastServerArgs(argv);
const validate = fast === undefined ? fastValidateArgs(argv) : undefined;
if (fast !== undefined) {
  const { runServer } = await import('./server-command.js');
  process.exitCode = await runServer(fast);
} else if (validate !== undefined) {
  const { validateFiles } = await import('./validate-command.js');
  process.exitCode = await validateFiles(validate);
} else {
  const { runCli } = await import('./program.js');
  await runCli(argv);
}
