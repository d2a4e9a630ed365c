/**
 * A reader that goes away early (`nso-mock conform --list | head -1`, a CI step that stops reading
 * after the ready line) closes the pipe, and the next write fails with EPIPE. Node emits that as an
 * 'error' event, which without a listener is an uncaught exception with a stack trace. Nobody is
 * left to read the output, so it is dropped and the command finishes its work and exits as it
 * would have (0 when that work succeeded).
 */

/** The errors of a write to an output nobody reads any more. */
const GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

/**
 * Makes writes to `stream` after its reader left silent no-ops; any other error still throws.
 * @example
 *   ignoreClosedOutput(process.stdout);
 */
export function ignoreClosedOutput(stream: NodeJS.WritableStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== undefined && GONE.has(error.code)) return;
    throw error;
  });
}
