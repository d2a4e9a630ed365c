/**
 * A real Kafka protocol endpoint for tests, without Docker or a JVM: librdkafka's in-memory mock
 * cluster, hosted by Debian's kcat (shared/schemas/ncmp/README.md, "A real Kafka endpoint for
 * tests"), and a kafkajs consumer-group reader. Used by test/ncmp/kafka.test.ts and the CLI's
 * end-to-end test. CI installs kcat in .ci/run; a missing kcat is a failure, not a skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';

/**
 * The kcat mock cluster cannot take CreateTopics (it names controller 0, which does not exist) and
 * auto-creates topics with 4 partitions: engines publishing to it need `partitions: 4`.
 */
export const MOCK_PARTITIONS = 4;

/** A running mock cluster. */
export interface KcatCluster {
  /** `127.0.0.1:PORT`, the bootstrap address kcat printed. */
  readonly bootstrap: string;
  /** Stops kcat (and with it the cluster). */
  stop(): Promise<void>;
}

/** Starts `kcat -X test.mock.num.brokers=1 …` and resolves with the bootstrap address it prints. */
export function startKcatCluster(): Promise<KcatCluster> {
  const found = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  if (found.error !== undefined) {
    throw new Error('kcat is not installed: the NCMP Kafka tests need it to host the mock cluster (apt-get install kcat, or npm run setup-test-deps, which .ci/run also runs)');
  }
  const child: ChildProcess = spawn('kcat', ['-X', 'test.mock.num.brokers=1', '-d', 'mock', '-b', 'x:1', '-C', '-t', '__host', '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.removeAllListeners('exit');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let bootstrap = '';
    const guard = setTimeout(() => {
      void stop();
      reject(new Error('kcat printed no bootstrap.servers line within 10 s'));
    }, 10_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`kcat exited early with code ${code}`)));
    // -d mock is chatty: keep reading stderr for the whole run so kcat never blocks on a full pipe.
    createInterface({ input: child.stderr! }).on('line', (line) => {
      const m = /bootstrap\.servers=(127\.0\.0\.1:\d+)/.exec(line);
      if (m?.[1] !== undefined && bootstrap === '') {
        bootstrap = m[1];
        clearTimeout(guard);
        resolve({ bootstrap, stop });
      }
    });
  });
}

/** One message as a consumer group read it. */
export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** Reads `count` messages of `topics` from the beginning with a kafkajs consumer group (bounded by `timeoutMs`). */
export async function consumeKafka(bootstrap: string, topics: string[], count: number, groupId: string, timeoutMs = 20_000): Promise<ConsumedMessage[]> {
  const kafka = new Kafka({ clientId: 'ncmp-test-consumer', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, rebalanceTimeout: 10_000 });
  const got: ConsumedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`consumer group read ${got.length} of ${count} records within ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          got.push({ topic, partition, message });
          if (got.length >= count) {
            clearTimeout(guard);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}
