/**
 * Human logs on stderr (stdout carries only the machine lines: the ready line first). `--log-format
 * json` writes one JSON object per line instead, for machines.
 */
import type { Writable } from 'node:stream';

/** A log level; `debug` lines show only with `--verbose`. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The CLI's logger. */
export interface CliLogger {
  log(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  readonly format: 'text' | 'json';
  readonly verbose: boolean;
  /** Default `process.stderr`. */
  readonly stream?: Writable;
  /** Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Creates a logger writing to stderr.
 * @example
 *   const logger = createLogger({ format: 'text', verbose: false });
 *   logger.log('info', 'listening', { port: 4569 });
 */
export function createLogger(options: LoggerOptions): CliLogger {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  return {
    log(level, message, fields = {}) {
      if (level === 'debug' && !options.verbose) return;
      if (options.format === 'json') {
        stream.write(`${JSON.stringify({ time: new Date(now()).toISOString(), level, msg: message, ...fields })}\n`);
        return;
      }
      const tag = level === 'info' || level === 'debug' ? '' : `${level}: `;
      stream.write(`nso-mock: ${tag}${message}\n`);
    },
  };
}
