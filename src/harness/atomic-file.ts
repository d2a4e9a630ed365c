/**
 * Writes a file all at once or not at all: the data goes to a temporary file in the same folder,
 * is flushed to disk, and is renamed over the target (rename within a folder is atomic on POSIX
 * filesystems). A full disk, a failed write or a kill mid-write leaves the previous file as it
 * was, or no file when there was none; never half a file (a truncated JSON report, 65,536 bytes,
 * was what a full disk left). Every report, JUnit, HTML and fuzz replay file goes through it.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** Permissions of a new file (default 0o666, less the umask; an existing file's mode is kept). */
  readonly mode?: number;
  /**
   * Writes the bytes to the temporary file (default: `handle.writeFile`). For tests that inject a
   * failure part-way, as a full disk would.
   */
  readonly write?: (handle: FileHandle, data: Uint8Array) => Promise<void>;
}

/**
 * Writes `data` to `path` atomically (see the module comment).
 * @throws Error whose message says what failed and what was left (`...; the previous file is
 *   unchanged` or `...; no file was written`), with the filesystem error as `cause` and its `code`.
 * @example
 *   await writeFileAtomic('reports/run.json', JSON.stringify(report));
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const previous = await stat(path).catch(() => undefined);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  let step = 'create a temporary file';
  try {
    handle = await open(temp, 'wx', previous?.isFile() === true ? previous.mode & 0o7777 : (options.mode ?? 0o666));
    step = 'write';
    await (options.write ?? ((h, d) => h.writeFile(d)))(handle, bytes);
    step = 'flush';
    await handle.sync();
    await handle.close();
    handle = undefined;
    step = 'rename the temporary file over';
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    const left = previous === undefined ? 'no file was written' : 'the previous file is unchanged';
    throw Object.assign(new Error(`Failed to ${step} ${path}: ${reason}; ${left}`, { cause: error }), {
      code: (error as { code?: unknown }).code,
    });
  }
}
