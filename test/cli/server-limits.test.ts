/**
 * The server-limit flags of `serve` and `run` (--max-frame-bytes, --max-subscribe-frame-bytes,
 * --max-decoded-bytes, --max-subscribe-decoded-bytes, --journal-max-bytes, --input-stall-timeout):
 * their checks, the server options they set, and durations read exactly as a scenario reads them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkServerArgs, parseDurationOption, serverLimitsOf } from '../../src/cli/commands/options.js';
import { parseDuration } from '../../src/scenarios/index.js';
import { fcRuns } from '../support/fc-config.js';

describe('server-limit flags', () => {
  it('map to the server options', () => {
    expect(
      serverLimitsOf({
        'max-frame-bytes': 4096,
        'max-subscribe-frame-bytes': 64,
        'max-decoded-bytes': 512,
        'max-subscribe-decoded-bytes': 2048,
        'journal-max-bytes': 0,
        'input-stall-timeout': '1m30s',
      }),
    ).toEqual({ maxFrameBytes: 4096, maxSubscribeFrameBytes: 64, maxDecodedBytes: 512, maxSubscribeDecodedBytes: 2048, journalMaxBytes: 0, inputStallTimeoutMs: 90_000 });
    expect(serverLimitsOf({})).toEqual({});
  });

  it.each([
    [{ 'max-frame-bytes': 0 }, '--max-frame-bytes must be a whole number of bytes from 1, got 0'],
    [{ 'max-decoded-bytes': 1.5 }, '--max-decoded-bytes must be a whole number of bytes from 1, got 1.5'],
    [{ 'max-subscribe-frame-bytes': Number.NaN }, '--max-subscribe-frame-bytes must be a whole number of bytes from 1, got something that is not a number'],
    [{ 'journal-max-bytes': -1 }, '--journal-max-bytes must be a whole number of bytes, 0 or more, got -1'],
    [{ 'input-stall-timeout': '5' }, '--input-stall-timeout takes a duration with a unit, such as 5s or 500ms (0 = never; at most 576h), got "5"'],
    [{ 'input-stall-timeout': '2 sec' }, '--input-stall-timeout takes a duration with a unit, such as 5s or 500ms (0 = never; at most 576h), got "2 sec"'],
    [{ 'input-stall-timeout': '1000h' }, '--input-stall-timeout takes a duration with a unit, such as 5s or 500ms (0 = never; at most 576h), got "1000h"'],
  ])('refuses %j', (args, message) => {
    expect(checkServerArgs(args)).toBe(message);
  });

  it('accepts the limits at their least values', () => {
    expect(checkServerArgs({ 'max-frame-bytes': 1, 'journal-max-bytes': 0, 'input-stall-timeout': '0' })).toBeUndefined();
  });

  describe('properties', () => {
    it('a duration flag reads every text as the scenario format does (bare numbers other than 0 refused)', () => {
      const unit = fc.constantFrom('ms', 's', 'm', 'h');
      const part = fc.tuple(fc.nat({ max: 2000 }), fc.option(fc.nat({ max: 999 }), { nil: undefined }), unit).map(([n, f, u]) => `${n}${f === undefined ? '' : `.${f}`}${u}`);
      const text = fc.oneof(
        fc.array(part, { minLength: 1, maxLength: 4 }).map((p) => p.join('')),
        fc.string(),
        fc.nat().map(String),
      );
      fc.assert(
        fc.property(text, (t) => {
          // A bare 0 is the number 0 in a scenario (YAML reads it so); any other bare number is refused.
          const expected = t === '0' ? parseDuration(0) : /^[0-9]+(?:\.[0-9]+)?$/.test(t) ? undefined : parseDuration(t);
          expect(parseDurationOption(t)).toBe(expected);
        }),
        { numRuns: fcRuns(200) },
      );
    });
  });
});
