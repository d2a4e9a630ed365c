/**
 * The exit codes of the `nso-mock` CLI (docs/cli.md). CI scripts branch on them.
 */
export const EXIT_CODES = {
  /** Every expectation held and no violation occurred (run, serve); every file is valid (validate). */
  ok: 0,
  /** An expectation failed, a violation occurred, the run was aborted, or an internal error happened. */
  failed: 1,
  /** Bad usage (unknown option, bad value, unbindable address) or an invalid scenario file. */
  usage: 2,
} as const;

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
