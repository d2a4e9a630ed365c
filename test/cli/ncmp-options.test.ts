import fc from 'fast-check';
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { formatNcmpSummary } from '../../src/cli/commands/ncmp.js';
import { checkServerArgs, ncmpOptionsGiven, parseKafkaBrokers, SERVER_OPTIONS, withServerOptions } from '../../src/cli/commands/options.js';
import { fastServerArgs } from '../../src/cli/fast-args.js';
import { fcRuns } from '../support/fc-config.js';

/** The NCMP options of serve/run (--ncmp-port, --ncmp-tee, --kafka-brokers): both parsers, one table. */
async function viaYargs(argv: readonly string[]): Promise<Record<string, unknown> | undefined> {
  let result: Record<string, unknown> | undefined;
  let failed = false;
  try {
    await yargs([...argv])
      .command('serve', '', (y) => withServerOptions(y.option('scenario', { type: 'string' })), (a) => void (result = { ...a, mode: 'serve' }))
      .command('run <file>', '', (y) => withServerOptions(y.positional('file', { type: 'string', demandOption: true })), (a) => void (result = { ...a, scenario: a['file'], mode: 'run' }))
      .strict()
      .exitProcess(false)
      .fail(() => {
        failed = true;
        throw new Error('usage');
      })
      .parseAsync();
  } catch {
    failed = true;
  }
  if (failed || result === undefined) return undefined;
  const keys = [...Object.keys(SERVER_OPTIONS), 'scenario', 'mode'];
  return Object.fromEntries(keys.filter((k) => result?.[k] !== undefined).map((k) => [k, result?.[k]]));
}

describe('NCMP options of serve and run', () => {
  it('the fast path reads them', () => {
    expect(fastServerArgs(['serve', '--scenario', 's.yaml', '--port', '0', '--ncmp-port', '0', '--ncmp-tee', 'out.ndjson', '--kafka-brokers', 'k1:9092,k2:9093'])).toEqual({
      mode: 'serve',
      scenario: 's.yaml',
      host: '127.0.0.1',
      port: 0,
      'ncmp-port': 0,
      'ncmp-tee': 'out.ndjson',
      'kafka-brokers': 'k1:9092,k2:9093',
      'log-format': 'text',
      verbose: false,
    });
  });

  it('checks ports and broker lists the same way for both parsers', async () => {
    expect(checkServerArgs({ 'ncmp-port': 65536 })).toBe('--ncmp-port must be an integer from 0 to 65535, got 65536');
    expect(checkServerArgs({ 'kafka-brokers': 'k1' })).toBe('--kafka-brokers takes host:port[,host:port...], got "k1"');
    expect(checkServerArgs({ 'kafka-brokers': ' , ' })).toBe('--kafka-brokers takes host:port[,host:port...], got " , "');
    expect(checkServerArgs({ 'kafka-brokers': 'k1:99999' })).toBe('--kafka-brokers takes host:port[,host:port...], got "k1:99999"');
    expect(checkServerArgs({ 'kafka-brokers': '[::1]:9092, kafka-0.local:9092' })).toBeUndefined();
    expect(fastServerArgs(['run', 'f.yaml', '--kafka-brokers', 'nope'])).toBeUndefined();
    expect(await viaYargs(['run', 'f.yaml', '--kafka-brokers', 'nope'])).toBeUndefined();
    expect(await viaYargs(['run', 'f.yaml', '--ncmp-port', '70000'])).toBeUndefined();
  });

  it('splits broker lists and knows when NCMP was asked for', () => {
    expect(parseKafkaBrokers(' k1:9092 ,k2:9092,')).toEqual(['k1:9092', 'k2:9092']);
    expect(ncmpOptionsGiven({})).toBe(false);
    expect(ncmpOptionsGiven({ 'ncmp-tee': 'x' })).toBe(true);
    expect(ncmpOptionsGiven({ 'ncmp-port': 0 })).toBe(true);
  });

  it('summarises the NCMP part of a report in one line', () => {
    const topic = { partitions: 1, records: [] };
    expect(formatNcmpSummary({ seed: '7', lcmSchemaVersion: 'v2', topics: [{ topic: 'ncmp-events', count: 10, ...topic }, { topic: 'c', count: 1, ...topic }] })).toBe(
      '  ncmp: ncmp-events 10 records · c 1 record (seed 7, LCM v2)\n',
    );
    expect(formatNcmpSummary({ seed: '1', lcmSchemaVersion: 'v1', topics: [] })).toBe('  ncmp: no records (seed 1, LCM v1)\n');
  });

  describe('properties', () => {
    it('whatever the fast path accepts, yargs parses to the same arguments', async () => {
      const optionArb = fc.oneof(
        fc.integer({ min: 0, max: 65535 }).map((p) => ['--ncmp-port', String(p)]),
        fc.constantFrom('feed.ndjson', 'out/tee.ndjson').map((f) => ['--ncmp-tee', f]),
        fc.constantFrom('127.0.0.1:9092', 'k1:9092,k2:9092', '[::1]:19092').map((b) => ['--kafka-brokers', b]),
        fc.integer({ min: 0, max: 65535 }).map((p) => ['--port', String(p)]),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<readonly string[]>(['serve'], ['serve', '--scenario', 's.yaml'], ['run', 'f.yaml']),
          fc.uniqueArray(optionArb, { maxLength: 4, selector: (o) => o[0] ?? '' }),
          async (head, options) => {
            const argv = [...head, ...options.flat()];
            const fast = fastServerArgs(argv);
            expect(fast).toBeDefined();
            expect(fast).toEqual(await viaYargs(argv));
          },
        ),
        { numRuns: fcRuns(0.5) },
      );
    });
  });
});
