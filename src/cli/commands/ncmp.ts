/**
 * The NCMP side of `serve` and `run` (docs/ncmp.md, docs/cli.md): when the scenario uses NCMP or an
 * NCMP option is given, an NCMP engine plays the scenario's `ncmp-*` steps, and its records go to
 * the HTTP feed (`--ncmp-port`), a file (`--ncmp-tee`) and Kafka (`--kafka-brokers`). This module
 * is imported only then, and it imports `src/ncmp` only then: a plain `serve` loads none of it
 * (fastify, Ajv and kafkajs included).
 */
import type { NcmpEngine, NcmpFeed, KafkaPublisher, NcmpRunReport, NcmpScenarioSettings } from '../../ncmp/index.js';
import type { Scenario } from '../../scenarios/index.js';
import type { Clock } from '../../server/index.js';
import type { CliLogger } from '../logger.js';
import { parseKafkaBrokers, type ServerArgs } from './options.js';

/** The running NCMP side of a `serve`/`run`. */
export interface CliNcmp {
  readonly engine: NcmpEngine;
  /** The feed's URL (`--ncmp-port`), for the ready line. */
  readonly url?: string;
  /** The records appended since the start, per topic: the `ncmp` part of the run report. */
  report(): NcmpRunReport;
  /**
   * Waits until the brokers acknowledged every record (no-op without `--kafka-brokers`).
   * @throws NcmpError `NSOMOCK_NCMP_KAFKA` when publishing failed.
   */
  flushed(): Promise<void>;
  /** Stops the feed, the tee and the publisher. */
  close(): Promise<void>;
}

/** What the NCMP engine of a command derives from. */
export interface CliNcmpContext {
  /** The run's seed (the same one the player gets). */
  readonly seed: number;
  readonly clock: Clock;
  readonly logger: CliLogger;
}

/**
 * Creates the engine from the scenario's `ncmp:` settings and starts what the options ask for.
 * Everything started is stopped again when a later part fails.
 * @throws NcmpError `NSOMOCK_SERVER_LISTEN_FAILED` (feed port taken), `NSOMOCK_NCMP_KAFKA`
 *   (brokers unreachable); UsageError `NSOMOCK_USAGE` (bad settings).
 * @example
 *   const ncmp = await startNcmpFromArgs({ 'ncmp-port': 0 }, scenario, { seed: 42, clock: server.clock, logger });
 *   ncmp.url // 'http://127.0.0.1:40123'
 */
export async function startNcmpFromArgs(
  args: Pick<ServerArgs, 'ncmp-port' | 'ncmp-tee' | 'kafka-brokers'>,
  scenario: Scenario | undefined,
  context: CliNcmpContext,
): Promise<CliNcmp> {
  const ncmp = await import('../../ncmp/index.js');
  const settings = scenario?.extensions[ncmp.NCMP_SCENARIO_KEY] as NcmpScenarioSettings | undefined;
  const engine = ncmp.createNcmpEngine(ncmp.ncmpEngineOptions(settings, { seed: context.seed, clock: context.clock }));
  const start = new Map(engine.store.topics().map((t) => [t.topic, t.records]));
  const stops: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await engine.close();
  };
  let feed: NcmpFeed | undefined;
  let kafka: KafkaPublisher | undefined;
  try {
    const tee = args['ncmp-tee'];
    if (tee !== undefined) stops.push(ncmp.teeToFile(engine.store, tee));
    const port = args['ncmp-port'];
    if (port !== undefined) {
      const started = await ncmp.startNcmpFeed({ store: engine.store, port });
      feed = started;
      stops.push(() => started.close());
    }
    const brokers = args['kafka-brokers'];
    if (brokers !== undefined) {
      const list = parseKafkaBrokers(brokers);
      const publisher = await ncmp.attachKafkaPublisher({
        brokers: list,
        store: engine.store,
        // Every failure reaches the user as one line of ours (the error thrown or onError); kafkajs'
        // own logs are JSON with stack traces, and an unreachable broker printed a dozen of them.
        logLevel: 'nothing',
        onError: (error) => context.logger.log('error', error.message, { code: error.code }),
      });
      kafka = publisher;
      stops.push(() => publisher.close());
      context.logger.log('info', `publishing NCMP records to Kafka at ${list.join(',')}`, { brokers: list });
    }
  } catch (error) {
    await close();
    throw error;
  }
  if (feed !== undefined) context.logger.log('info', `NCMP feed on ${feed.url}`, { ncmp: feed.url });
  return {
    engine,
    ...(feed === undefined ? {} : { url: feed.url }),
    report: () => ncmp.ncmpRunReport(engine, start),
    flushed: () => kafka?.flushed() ?? Promise.resolve(),
    close,
  };
}

/**
 * The NCMP lines of the run summary (stderr).
 * @example formatNcmpSummary(report) // '  ncmp: ncmp-events 10 records (seed 42, LCM v1)\n'
 */
export function formatNcmpSummary(report: NcmpRunReport): string {
  const topics = report.topics.map((t) => `${t.topic} ${t.count} record${t.count === 1 ? '' : 's'}`);
  return `  ncmp: ${topics.length === 0 ? 'no records' : topics.join(' · ')} (seed ${report.seed}, LCM ${report.lcmSchemaVersion})\n`;
}
