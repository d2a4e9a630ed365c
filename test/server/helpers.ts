/**
 * Shared helpers of the server tests: temp socket paths, a started server with its clean-up, and
 * waiting for server events (real sockets; time itself comes from a ManualClock).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { connect, type ConnectOptions, type NotifClient } from '../../src/client/index.js';
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

/** The server of the current test (see `useServerPerTest`) and the clients it opened on it. */
export interface ServerPerTest {
  readonly server: MockServer;
  readonly clock: ManualClock;
  readonly tcp: { readonly host: string; readonly port: number };
  readonly unix: string;
  /** The clients `client()` opened in this test, in order. */
  readonly clients: readonly NotifClient[];
  /** Connects over TCP (or the Unix socket) to this test's server; the client is closed after the test. */
  client(options: ConnectOptions, via?: 'tcp' | 'unix'): Promise<NotifClient>;
  /** Closes this test's clients and server and starts a server with other options. */
  restart(options: MockServerOptions): Promise<void>;
}

/**
 * Registers a `startServer(options)` before each test of the file and, after it, closes every
 * client the test opened through `client()`, then the server.
 */
export function useServerPerTest(options: MockServerOptions = {}): ServerPerTest {
  let current: Started | undefined;
  const clients: NotifClient[] = [];
  const started = (): Started => {
    if (current === undefined) throw new Error('useServerPerTest: the server exists only while a test runs');
    return current;
  };
  const stop = async (): Promise<void> => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await current?.close();
    current = undefined;
  };
  beforeEach(async () => {
    current = await startServer(options);
  });
  afterEach(stop);
  return {
    get server() {
      return started().server;
    },
    get clock() {
      return started().clock;
    },
    get tcp() {
      return started().tcp;
    },
    get unix() {
      return started().unix;
    },
    clients,
    async client(clientOptions, via = 'tcp') {
      const c = await connect(via === 'tcp' ? started().tcp : { path: started().unix }, clientOptions);
      clients.push(c);
      return c;
    },
    async restart(restartOptions) {
      await stop();
      current = await startServer(restartOptions);
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
