/**
 * `nso-mock conform`: runs the catalogue of cases.ts against a client under test. Every case gets
 * a fresh mock and a freshly spawned client; cases run a few at a time (they mostly wait on
 * sockets and timers).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  notificationTypes,
  pythonDictView,
  type Notification,
  type NotificationType,
  type Profile,
  type PythonDict,
  type Term,
} from '../../codec/index.js';
import { isCStringSafe, notificationArbitrary } from '../../arbitraries/index.js';
import { createMockServer, type MockServer, type SubscriberInfo } from '../../server/index.js';
import { ClientProcess, type Placeholders } from '../client-process.js';
import { MockHarness } from '../mock-harness.js';
import { maskOfNames, selectCases, type CaseContext, type ConformCase } from './cases.js';
import { compareDecodedOutput, decodedOutputLines, formatMismatch, parseDictPath } from './compare.js';
import { summarize, type CaseResult, type ConformReport, type Verdict } from './report.js';

/** Options of {@link runConform}. */
export interface ConformOptions {
  /**
   * The client command, run through `sh`, with placeholders: `{host} {port} {unix} {mask}
   * {mask_names} {heartbeat} {health_check} {stream} {start_time} {stop_time} {profile}
   * {access_file} {case}` (values shell-quoted; absent ones become `''`, numbers `0`).
   */
  readonly client: string;
  /** Layout profile of the mock (default `nso57`); cases for the other profile are left out. */
  readonly profile?: Profile;
  /** Case names or prefixes (`decode`, `ack.commit-diff`, `stream.*`); default all. */
  readonly cases?: readonly string[];
  /** Cases run at once (default 4). */
  readonly parallel?: number;
  /** Multiplies every deadline (default 1). */
  readonly timeoutScale?: number;
  /** Working directory and extra environment of the client. */
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Where the decoded dict is in each JSON line the client prints: a member name (`python_dict`)
   * or a JSON pointer (`/python_dict`); default the line itself. A client that prints
   * `{"frame":…,"python_dict":{…}}` is judged with `dictPath: '/python_dict'`.
   */
  readonly dictPath?: string;
  /** Called after each case (progress output). */
  readonly onCase?: (result: CaseResult) => void;
}

/** How long a client gets to subscribe. */
const SUBSCRIBE_MS = 10_000;
/** How long the runner waits for decoded output to catch up after a case. */
const OUTPUT_SETTLE_MS = 1500;

function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h & 0x7fffffff;
}

/** Notifications sent to a connection: the journal's outgoing frames that are notification tuples. */
function sentNotifications(server: MockServer, connectionId: number): Term[] {
  return server.journal
    .entries(connectionId)
    .filter((e) => e.direction === 'out' && e.kind === 'frame' && e.term !== undefined)
    .map((e) => e.term as Term)
    .filter((t) => t.kind === 'tuple' && t.elements[0]?.kind === 'integer');
}

interface Collector {
  readonly reasons: string[];
  readonly nonStrict: string[];
  readonly notes: string[];
  /** Why the decoding could not be judged (empty when it was, or there was nothing to judge). */
  readonly notJudged: string[];
}

function verdictOf(c: Collector): Verdict {
  if (c.reasons.length > 0) return 'fail';
  if (c.notJudged.length > 0) return 'not-judged';
  if (c.nonStrict.length > 0) return 'non-strict';
  return 'pass';
}

/** Runs one case. Never throws: a runner error becomes a failed case. */
export async function runConformCase(c: ConformCase, options: ConformOptions): Promise<CaseResult> {
  const profile = options.profile ?? 'nso57';
  const scale = options.timeoutScale ?? 1;
  const started = performance.now();
  const collector: Collector = { reasons: [], nonStrict: [], notes: [], notJudged: [] };
  const dir = await mkdtemp(join(tmpdir(), 'nso-conform-'));
  let server: MockServer | undefined;
  let harness: MockHarness | undefined;
  let client: ClientProcess | undefined;
  let subscriber: SubscriberInfo | undefined;
  let output: CaseResult['output'];
  try {
    server = createMockServer({
      tcp: { host: '127.0.0.1', port: 0 },
      profile,
      journalLimit: 100_000,
      // Missing acks are judged by the cases' own deadlines; the server must not close first.
      eventReplyTimeoutMs: 0,
      ...c.server?.(dir),
    });
    const addresses = await server.listen();
    harness = new MockHarness(server, { onUnexpectedFrame: 'ignore' });
    const prepared = c.setup?.({ server, profile, dir }) ?? {};
    const mask = maskOfNames(c.mask);
    const placeholders: Placeholders = {
      host: addresses.tcp?.host ?? '127.0.0.1',
      port: addresses.tcp?.port ?? 0,
      unix: '',
      mask,
      mask_names: c.mask.join(','),
      heartbeat: c.heartbeatMs ?? 0,
      health_check: c.healthCheckMs ?? 0,
      stream: '',
      start_time: '',
      stop_time: '',
      profile,
      access_file: '',
      case: c.name,
      ...prepared.placeholders,
    };
    // The placeholders and the same values in the NSO environment (docs/conformance.md); the
    // caller's and the case's own variables last.
    client = ClientProcess.fromTemplate(options.client, placeholders, {
      env: { ...options.env, ...prepared.env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const h = harness;
    const live = client;
    if (c.subscribes !== false) {
      const within = Math.round(SUBSCRIBE_MS * scale);
      const subscribed = await Promise.race([
        h.waitForSubscribers(1, { within }).then((subs) => subs[0]),
        live.exited.then(() => undefined),
      ]).catch(() => undefined);
      if (subscribed === undefined) {
        const exit = live.exit;
        const denied = h.violations.find((v) => v.code === 'access-denied');
        collector.reasons.push(
          denied !== undefined
            ? `the access check failed: ${denied.actual} (§3)`
            : exit === undefined
              ? `the client did not subscribe within ${within} ms`
              : `the client ${exit.signal === null ? `exited with code ${exit.code}` : `was killed by ${exit.signal}`} before it subscribed`,
        );
      } else {
        subscriber = subscribed;
        const got = subscribed.subscription.mask;
        if ((got & mask) !== mask) {
          collector.reasons.push(`the client subscribed with mask ${got}, not the ${mask} (${c.mask.join(', ')}) it was given in {mask} (§8.1)`);
        }
      }
    }
    if (collector.reasons.length === 0) {
      const sampleCache = new Map<string, Notification[]>();
      const ctx: CaseContext = {
        harness: h,
        server,
        profile,
        client: live,
        subscriber,
        scale,
        fail: (r) => void collector.reasons.push(r),
        nonStrict: (r) => void collector.nonStrict.push(r),
        note: (n) => void collector.notes.push(n),
        sample: (type: NotificationType, count: number) => {
          const key = `${type}:${count}`;
          let cached = sampleCache.get(key);
          if (cached === undefined) {
            cached = fc.sample(
              notificationArbitrary(type, { profile, maxItems: 3, maxTextLength: 7, clientStyle: 'c' }).filter((n) => isCStringSafe(n)),
              { seed: seedOf(`${c.name}:${type}`), numRuns: count },
            );
            sampleCache.set(key, cached);
          }
          return cached;
        },
      };
      await c.run(ctx);
    }
    // Shared checks: decoded output, no crash or early exit, no protocol mistakes.
    for (const v of h.violations) {
      if (c.expectedViolations?.includes(v.code) === true) continue;
      collector.reasons.push(`protocol violation ${v.code} on connection ${v.connectionId}: expected ${v.expected}, got ${v.actual}`);
    }
    if (subscriber !== undefined && c.compareOutput !== false) {
      const connection = subscriber.id;
      const viewProfile = subscriber.profile;
      const expected = sentNotifications(server, connection)
        .map((t) => {
          try {
            return pythonDictView(t, viewProfile);
          } catch {
            return null;
          }
        })
        .filter((d): d is PythonDict => d !== null);
      await live.until(() => decodedOutputLines(live.stdout, options.dictPath).length >= expected.length, Math.round(OUTPUT_SETTLE_MS * scale));
      const actual = decodedOutputLines(live.stdout, options.dictPath);
      if (actual.length === 0 && expected.length > 0) {
        const where = options.dictPath === undefined ? 'JSON lines that are the dict' : `JSON lines with the dict at ${options.dictPath}`;
        collector.notJudged.push(`the client printed no decoded output (${where}) for the ${expected.length} notification(s) it was sent, so its decoding could not be judged`);
      } else if (expected.length > 0) {
        const mismatches = compareDecodedOutput(expected, actual);
        output = { compared: expected.length, mismatches };
        if (mismatches.length > 0) {
          collector.reasons.push(`decoded output differs from read_notification() in ${mismatches.length} field(s): ${mismatches.slice(0, 3).map(formatMismatch).join('; ')}`);
        }
      }
    }
    // Checked after the output settled: a client that dies on what it was just sent dies late.
    const exit = live.exit;
    if (exit !== undefined && c.clientEnds !== true) {
      collector.reasons.unshift(exit.signal !== null ? `the client was killed by ${exit.signal} during the case (a crash)` : `the client exited with code ${exit.code} during the case`);
    }
  } catch (error) {
    collector.reasons.push(`the runner failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (client !== undefined) await client.stop();
    harness?.detach();
  }
  const journal = harness?.formatJournal(subscriber?.id, 16) ?? [];
  await server?.close();
  await rm(dir, { recursive: true, force: true });
  const exit = client?.exit;
  return {
    name: c.name,
    title: c.title,
    sections: c.sections,
    verdict: verdictOf(collector),
    reasons: [...collector.reasons, ...collector.notJudged, ...collector.nonStrict],
    notes: collector.notes,
    durationMs: performance.now() - started,
    journal,
    client:
      client === undefined || exit === undefined
        ? undefined
        : {
            command: client.command,
            exitCode: exit.stopped ? null : exit.code,
            signal: exit.stopped ? null : exit.signal,
            stoppedByRunner: exit.stopped,
            stderrTail: client.stderrTail.slice(-20),
            stdoutLines: client.stdout.split('\n').filter((l) => l !== '').length,
          },
    ...(output === undefined ? {} : { output }),
  };
}

/**
 * Runs the catalogue against a client and returns the report (it never throws for client
 * behaviour; every problem is a case verdict).
 * @throws UsageError `NSOMOCK_USAGE` when no case matches `cases`, or `dictPath` is not a JSON pointer.
 * @example
 *   const report = await runConform({ client: 'python3 client.py --port {port} --mask {mask}' });
 *   process.exitCode = report.summary.fail > 0 ? 1 : 0;
 */
export async function runConform(options: ConformOptions): Promise<ConformReport> {
  const profile = options.profile ?? 'nso57';
  parseDictPath(options.dictPath); // a bad pointer is bad usage, before any case runs
  const cases = selectCases(profile, options.cases);
  if (cases.length === 0) {
    const { UsageError } = await import('../../codec/index.js');
    throw new UsageError('NSOMOCK_USAGE', `Failed to select conformance cases: none matches ${JSON.stringify(options.cases)} (profile ${profile})`, {
      details: { option: 'cases', value: options.cases },
    });
  }
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const results: CaseResult[] = new Array<CaseResult>(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < cases.length; i = next++) {
      const result = await runConformCase(cases[i] as ConformCase, options);
      results[i] = result;
      options.onCase?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel ?? 4, cases.length)) }, worker));
  return {
    client: options.client,
    profile,
    startedAt,
    durationMs: performance.now() - started,
    cases: results,
    summary: summarize(results),
  };
}

/** The types the decode cases cover in a profile (for docs and listings). */
export function decodedTypes(profile: Profile): NotificationType[] {
  return (Object.keys(notificationTypes) as NotificationType[]).filter((t) => notificationTypes[t].profiles.includes(profile));
}
