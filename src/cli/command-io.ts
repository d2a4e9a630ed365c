import { EXIT_CODES } from './exit-codes.js';

/** Where a long-running command (`serve`, `run`, `record`) writes, and what stops it (tests pass their own). */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Signals that stop the command. Default: the process's SIGINT and SIGTERM ({@link processSignals}). */
  readonly onStop?: (stop: (why: string) => void) => () => void;
}

/** Calls `stop` on SIGINT or SIGTERM; returns the function that removes the handlers. */
export function processSignals(stop: (why: string) => void): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals): void => {
    count += 1;
    // A second signal means "now": the graceful path is stuck (a client that never drains).
    if (count > 1) process.exit(EXIT_CODES.failed);
    stop(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
