/**
 * writeFileAtomic: all or nothing. A failure part-way (a full disk, injected), a failed rename or a
 * missing folder leaves the previous file unchanged, or none, and no temporary file behind.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/harness/index.js';
import type { FileHandle } from 'node:fs/promises';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nso-mock-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the first `n` bytes, then fails as a full disk does. */
function diskFullAfter(n: number): (handle: FileHandle, data: Uint8Array) => Promise<void> {
  return async (handle, data) => {
    await handle.write(data.subarray(0, n));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
}

describe('writeFileAtomic', () => {
  it('writes a new file and replaces an existing one, keeping its mode', async () => {
    const path = join(dir, 'report.json');
    await writeFileAtomic(path, '{"a":1}\n');
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n');
    await chmod(path, 0o640);
    await writeFileAtomic(path, Buffer.from('{"a":2}\n'));
    expect(await readFile(path, 'utf8')).toBe('{"a":2}\n');
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['report.json']);
  });

  it('a disk that fills part-way leaves the previous file unchanged and no temporary file', async () => {
    const path = join(dir, 'report.json');
    await writeFile(path, '{"previous":true}\n');
    const big = JSON.stringify({ data: 'x'.repeat(200_000) });
    const error = await writeFileAtomic(path, big, { write: diskFullAfter(65_536) }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.message).toMatch(/^Failed to write .*report\.json: ENOSPC: no space left on device, write; the previous file is unchanged$/);
    expect(error?.code).toBe('ENOSPC');
    expect(await readFile(path, 'utf8')).toBe('{"previous":true}\n');
    expect(await readdir(dir)).toEqual(['report.json']);
  });

  it('with no previous file, a failure leaves no file at all', async () => {
    const path = join(dir, 'junit.xml');
    await expect(writeFileAtomic(path, '<x/>'.repeat(10_000), { write: diskFullAfter(100) })).rejects.toThrow(/; no file was written$/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a rename that fails (the target is a folder) leaves the folder and no temporary file', async () => {
    const path = join(dir, 'taken');
    await mkdir(path);
    await writeFile(join(path, 'inside'), 'kept');
    await expect(writeFileAtomic(path, 'data')).rejects.toThrow(/^Failed to rename the temporary file over .*taken: /);
    expect(await readFile(join(path, 'inside'), 'utf8')).toBe('kept');
    expect(await readdir(dir)).toEqual(['taken']);
  });

  it('a missing folder is an error that says so', async () => {
    await expect(writeFileAtomic(join(dir, 'no', 'such', 'r.json'), '{}')).rejects.toMatchObject({
      code: 'ENOENT',
      message: expect.stringMatching(/^Failed to create a temporary file .*r\.json: ENOENT.*; no file was written$/),
    });
  });
});
