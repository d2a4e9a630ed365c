/** Commit flags input (PROTOCOL.md §11.3 element 5): a number or a list of flag names/numbers. */
import { enumValue, intIn } from './input.js';
import { COMMIT_FLAGS } from './notification.js';

/** ORs a list of flag names or takes a number. @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` */
export function normalizeCommitFlags(value: unknown, path = 'flags'): number {
  if (Array.isArray(value)) {
    return value.reduce((acc: number, v: unknown, i: number) => acc | enumValue(COMMIT_FLAGS, v, `${path}[${i}]`), 0);
  }
  return intIn(value ?? 0, path);
}
