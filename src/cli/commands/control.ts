/**
 * The `--control-port` / `--control-token` options of `serve` (docs/control-api.md): the HTTP
 * control API on loopback, started next to the mock. fastify loads only when the option is given.
 */
import { NsoMockError } from '../../codec/index.js';
import type { ControlServer, RunningNsoMock } from '../../harness/index.js';
import type { MaapiWiring } from '../../maapi/index.js';
import type { MockServer } from '../../server/index.js';

/** The control options of `serve` and `run`. */
export interface ControlArgs {
  readonly 'control-port'?: number;
  readonly 'control-token'?: string;
  readonly 'control-root'?: string;
}

/** The environment variable that holds the bearer token when `--control-token` is not given. */
export const CONTROL_TOKEN_ENV = 'NSO_MOCK_CONTROL_TOKEN';

/**
 * Starts the control API when `--control-port` was given (the token comes from `--control-token`,
 * else `NSO_MOCK_CONTROL_TOKEN`; includes of posted scenarios stay inside `--control-root`, else
 * the working directory); undefined otherwise.
 * @throws UsageError `NSOMOCK_USAGE` for a bad port; NsoMockError `NSOMOCK_SERVER_LISTEN_FAILED`
 *   when the port is taken (the CLI exits 2, as for a taken `--port`).
 * @example
 *   const control = await startControlFromArgs(mock, { 'control-port': 0 });
 *   control?.url // 'http://127.0.0.1:40123'
 */
export async function startControlFromArgs(
  mock: RunningNsoMock | MockServer,
  args: ControlArgs,
  env: Readonly<Record<string, string | undefined>> = process.env,
  maapi?: MaapiWiring,
): Promise<ControlServer | undefined> {
  const port = args['control-port'];
  if (port === undefined) return undefined;
  const token = args['control-token'] ?? env[CONTROL_TOKEN_ENV];
  const root = args['control-root'];
  const { startControlServer } = await import('../../harness/index.js');
  try {
    return await startControlServer(mock, {
      port,
      ...(token === undefined || token === '' ? {} : { token }),
      ...(root === undefined ? {} : { root }),
      ...(maapi === undefined ? {} : { maapi }),
    });
  } catch (error) {
    if (error instanceof NsoMockError) throw error;
    // fastify's listen error (EADDRINUSE, EACCES): the same code and message shape as the mock's own ports.
    const reason = error instanceof Error ? error.message : String(error);
    throw new NsoMockError('NSOMOCK_SERVER_LISTEN_FAILED', `Failed to start the control API: ${reason} (127.0.0.1:${port})`, {
      cause: error,
      details: { address: `127.0.0.1:${port}`, ...(typeof (error as { code?: unknown }).code === 'string' ? { errno: (error as { code: string }).code } : {}) },
    });
  }
}
