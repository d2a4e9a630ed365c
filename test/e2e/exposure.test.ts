/**
 * Exposure of the IPC endpoints (docs/cli.md, README "Exposure"): a TCP port off loopback warns
 * that it has no authentication unless --access-secret-file is given; the Unix socket is owner-only
 * (0600) whatever the umask, and --unix-mode widens it. Real processes, real sockets.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import { NOTIF } from '../../src/codec/index.js';
import { createMockServer } from '../../src/server/index.js';
import { startCli, type CliProcess } from './cli-process.js';

const WARNING = /the IPC port \S+ is not on loopback and has no authentication/;
const running: CliProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) {
    p.child.kill('SIGTERM');
    await p.exited;
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'nso-mock-exposure-'));
  dirs.push(d);
  return d;
}

/** Runs `fn` with the process umask set to `mask` (children inherit it), then restores it. */
function withUmask<T>(mask: number, fn: () => T): T {
  const previous = process.umask(mask);
  try {
    return fn();
  } finally {
    process.umask(previous);
  }
}

/**
 * Starts `serve` and waits for its "listening on" log line: the warning, when there is one, is
 * logged on the same stream before it, so stderr then holds it or never will.
 */
async function serve(args: string[]): Promise<CliProcess> {
  const p = withUmask(0, () => startCli(['serve', ...args]));
  running.push(p);
  await p.ready;
  const start = Date.now();
  while (!/listening on/.test(p.stderr())) {
    if (Date.now() - start > 10_000) throw new Error(`no "listening on" line; stderr:\n${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return p;
}

describe('exposure', () => {
  it('warns on stderr when the IPC port listens off loopback without an access secret', async () => {
    const open = await serve(['--host', '0.0.0.0', '--port', '0']);
    const ready = await open.ready;
    expect(ready.tcp?.host).toBe('0.0.0.0');
    expect(open.stderr()).toMatch(WARNING);
    expect(open.stderr()).toMatch(/--access-secret-file/);
    // Still serves: a client on loopback subscribes.
    const c = await connect({ host: '127.0.0.1', port: ready.tcp!.port }, { mask: NOTIF.DAEMON });
    await c.close();
  });

  it('does not warn on loopback, nor off loopback with --access-secret-file', async () => {
    const loop = await serve(['--port', '0']);
    const secret = join(tempDir(), 'secret');
    writeFileSync(secret, 'abc');
    const guarded = await serve(['--host', '0.0.0.0', '--port', '0', '--access-secret-file', secret]);
    expect(loop.stderr()).not.toMatch(WARNING);
    expect(guarded.stderr()).not.toMatch(WARNING);
  });

  it('creates the Unix socket 0600 at umask 000, and --unix-mode 660 widens it', async () => {
    const dir = tempDir();
    const a = join(dir, 'a.sock');
    const b = join(dir, 'b.sock');
    await serve(['--unix', a]);
    await serve(['--unix', b, '--unix-mode', '660']);
    expect(statSync(a).mode & 0o777).toBe(0o600);
    expect(statSync(b).mode & 0o777).toBe(0o660);
    const c = await connect({ path: a }, { mask: NOTIF.DAEMON });
    await c.close();
  });

  it('refuses a --unix-mode that is no octal permission', async () => {
    const p = startCli(['serve', '--unix', join(tempDir(), 'x.sock'), '--unix-mode', 'rw']);
    running.push(p);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(/--unix-mode takes permissions in octal, such as 600 or 660, got "rw"/);
  });

  it('the library creates the socket 0600 whatever the umask (unixMode widens it)', async () => {
    const dir = tempDir();
    for (const [name, unixMode, expected] of [['lib-a.sock', undefined, 0o600], ['lib-b.sock', 0o666, 0o666]] as const) {
      const path = join(dir, name);
      const server = createMockServer({ tcp: false, unix: path, ...(unixMode === undefined ? {} : { unixMode }) });
      const previous = process.umask(0);
      try {
        await server.listen();
      } finally {
        process.umask(previous);
      }
      expect(statSync(path).mode & 0o777).toBe(expected);
      await server.close();
    }
  });
});
