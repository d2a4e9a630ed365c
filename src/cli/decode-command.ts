/**
 * `decode <hex>`: the bytes as Erlang terms (frames or one term), and for a notification its
 * Python `read_notification` dict (PROTOCOL.md §10.3), so a captured frame can be read at a glance.
 */
import {
  CodecError,
  decodeTerm,
  formatTerm,
  FrameDecoder,
  NsoMockError,
  layoutProblem,
  pythonDictView,
  resolveProfile,
  type Profile,
  type Term,
} from '../codec/index.js';
import type { DecodeArgs } from './commands/decode.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';

/** Where `decode` writes (tests pass their own streams). */
export interface DecodeIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/**
 * Parses hex text: whitespace, `:`, `,` and `0x` prefixes are ignored.
 * @throws NsoMockError `NSOMOCK_USAGE` for an odd number of digits or a non-hex character.
 */
export function parseHex(text: string): Uint8Array {
  const digits = text.replace(/0x/gi, '').replace(/[\s:,]/g, '');
  if (!/^[0-9a-fA-F]*$/.test(digits) || digits.length % 2 !== 0 || digits.length === 0) {
    throw new NsoMockError('NSOMOCK_USAGE', `Failed to read hex: expected pairs of hex digits, got ${JSON.stringify(text.slice(0, 40))} (decode)`, {
      details: { option: 'hex', value: text },
    });
  }
  return Uint8Array.from(Buffer.from(digits, 'hex'));
}

function terms(bytes: Uint8Array): { term: Term; framed: boolean }[] {
  // 131 is the version byte of a bare term (§6); anything else is read as frames (§5).
  if (bytes[0] === 131) return [{ term: decodeTerm(bytes), framed: false }];
  const decoder = new FrameDecoder();
  decoder.push(bytes);
  const out: { term: Term; framed: boolean }[] = [];
  for (let payload = decoder.readFrame(); payload !== undefined; payload = decoder.readFrame()) {
    out.push({ term: decodeTerm(payload), framed: true });
  }
  if (decoder.buffered > 0) {
    throw new CodecError('NSOMOCK_CODEC_TRUNCATED', `Failed to decode frame: ${decoder.buffered} bytes left after the last complete frame`, {
      details: { offset: bytes.length - decoder.buffered },
    });
  }
  return out;
}

/**
 * Decodes and prints; resolves with the exit code (2 for bytes that do not decode).
 * @example
 *   decodeHex({ hex: '83680162000020 00', profile: 'nso57' }) // prints {8192} and {"type": 8192}
 */
export function decodeHex(args: DecodeArgs, io: DecodeIo = { stdout: process.stdout, stderr: process.stderr }): ExitCode {
  let decoded: { term: Term; framed: boolean }[];
  try {
    decoded = terms(parseHex(args.hex));
  } catch (error) {
    io.stderr.write(`nso-mock: error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_CODES.usage;
  }
  const profile: Profile = resolveProfile(args.profile);
  for (const [i, { term, framed }] of decoded.entries()) {
    if (decoded.length > 1) io.stdout.write(`frame ${i + 1}:\n`);
    io.stdout.write(`${framed ? 'frame' : 'term'}: ${formatTerm(term)}\n`);
    try {
      io.stdout.write(`python: ${JSON.stringify(pythonDictView(term, profile))}\n`);
      // What the real library of this profile would abort on or misread (NSO62.md §D): say so.
      const problem = layoutProblem(term, profile);
      if (problem !== undefined) io.stdout.write(`warning: a ${profile} client cannot read this: ${problem}\n`);
    } catch {
      // Not a notification (a subscription, an ack, any term): the Erlang form says it all.
    }
  }
  return EXIT_CODES.ok;
}
