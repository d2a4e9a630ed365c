/**
 * The `--control-port` / `--control-token` options of `serve` (docs/control-api.md): the HTTP
 * control API on loopback, started next to the mock. fastify loads only when the option is given.
 */
import type { ControlServer, RunningNsoMock } from '../../harness/index.js';
import type { MockServer } from '../../server/index.js';

/** The control options of `serve` and `run`. */
export interface ControlArgs {
  readonly 'control-port'?: number;
  readonly 'control-token'?: string;
}

/** The environment variable that holds the bearer token when `--control-token` is not given. */
export const CONTROL_TOKEN_ENV = 'NSO_MOCK_CONTROL_TOKEN';

/**
 * Starts the control API when `--control-port` was given (the token comes from `--control-token`,
 * else `NSO_MOCK_CONTROL_TOKEN`); undefined otherwise.
 * @throws UsageError `NSOMOCK_USAGE` for a bad port; the listen error when the port is taken.
 * @example
 *   const control = await startControlFromArgs(mock, { 'control-port': 0 });
 *   control?.url // 'http://127.0.0.1:40123'
 */
export async function startControlFromArgs(
  mock: RunningNsoMock | MockServer,
  args: ControlArgs,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ControlServer | undefined> {
  const port = args['control-port'];
  if (port === undefined) return undefined;
  const token = args['control-token'] ?? env[CONTROL_TOKEN_ENV];
  const { startControlServer } = await import('../../harness/index.js');
  return startControlServer(mock, { port, ...(token === undefined || token === '' ? {} : { token }) });
}
