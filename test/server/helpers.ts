/**
 * Shared helpers of the server tests: temp socket paths, a started server with its clean-up, and
 * waiting for server events (real sockets; time itself comes from a ManualClock).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMockServer, ManualClock, type MockServer, type MockServerEvents, type MockServerOptions } from '../../src/server/index.js';

/** A fresh directory for Unix socket files; removed by `cleanup`. */
export function tempSocketPath(name = 'nso.sock'): { readonly path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'nsomock-srv-'));
  return { path: join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Started {
  readonly server: MockServer;
  readonly clock: ManualClock;
  readonly tcp: { readonly host: string; readonly port: number };
  readonly unix: string;
  close(): Promise<void>;
}

/** A server on TCP port 0 and a temp Unix socket, with a ManualClock starting at 2023-11-14T12:00Z. */
export async function startServer(options: MockServerOptions = {}): Promise<Started> {
  const socket = tempSocketPath();
  const clock = options.clock instanceof ManualClock ? options.clock : new ManualClock({ now: Date.UTC(2023, 10, 14, 12, 0, 0) });
  const server = createMockServer({ tcp: { port: 0 }, unix: socket.path, clock, ...options });
  const addresses = await server.listen();
  if (addresses.tcp === undefined || addresses.unix === undefined) throw new Error('listen() did not bind both transports');
  return {
    server,
    clock,
    tcp: addresses.tcp,
    unix: addresses.unix,
    close: async () => {
      await server.close();
      socket.cleanup();
    },
  };
}

/** Resolves with the first event of `name` that satisfies `match` (real time bound: 10 s). */
export function waitFor<K extends keyof MockServerEvents>(
  server: MockServer,
  name: K,
  match: (...args: MockServerEvents[K]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<MockServerEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      server.off(name, listener);
      reject(new Error(`timed out waiting for server event ${String(name)}`));
    }, timeoutMs);
    const listener = (...args: MockServerEvents[K]): void => {
      if (!match(...args)) return;
      clearTimeout(timer);
      server.off(name, listener);
      resolve(args);
    };
    server.on(name, listener);
  });
}

/** Waits until `condition()` holds, polling on the event loop (for states without an event). */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** Every bit of §10.1 a 5.7 client can subscribe to, with every sync flag. */
export const ALL_TYPES_MASK = 0x7fffffff;
