/**
 * The conformance catalogue: named cases, each traced to the PROTOCOL.md sections it checks. A
 * case runs against a fresh mock and a freshly spawned client under test (run-conform.ts): it may
 * prepare the server before the client starts (`setup`), then plays its traffic (`run`) and says
 * what went wrong through the context; the runner adds the checks every case shares (the client
 * subscribed with the mask asked for, did not exit or crash, made no protocol violation, and — if it
 * prints JSON lines — decoded every notification as Python's `read_notification` would).
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  encodeFrame,
  formatAck,
  int,
  notificationTypes,
  PROFILE_INFO,
  PROFILES,
  profileForProtocolVersion,
  tuple,
  type Notification,
  type NotificationInput,
  type NotificationType,
  type Profile,
} from '../../codec/index.js';
import { isCStringSafe, notificationArbitrary, reorderedProgressEvents } from '../../arbitraries/index.js';
import type { MockServer, MockServerOptions, SubscriberInfo, ViolationCode } from '../../server/index.js';
import type { ClientProcess, Placeholders } from '../client-process.js';
import { HarnessError } from '../errors.js';
import type { MockHarness } from '../mock-harness.js';

/** A mask name: a notification type or a sync flag (PROTOCOL.md §10.1). */
export type ConformMaskName = NotificationType | 'audit-sync' | 'ha-info-sync' | 'audit-network-sync';

const FLAG_BITS: Readonly<Record<string, number>> = { 'audit-sync': 131072, 'ha-info-sync': 1048576, 'audit-network-sync': 536870912 };

/** The bits of a mask given by names. */
export function maskOfNames(names: readonly ConformMaskName[]): number {
  return names.reduce((mask, name) => mask | (FLAG_BITS[name] ?? notificationTypes[name as NotificationType].bit), 0);
}

/** What a case may do before the client starts. */
export interface CaseSetupContext {
  readonly server: MockServer;
  readonly profile: Profile;
  /** A private temporary directory (removed afterwards). */
  readonly dir: string;
}

/** What a case works with while it runs. */
export interface CaseContext {
  readonly harness: MockHarness;
  readonly server: MockServer;
  readonly profile: Profile;
  readonly client: ClientProcess;
  /** The client's subscription (undefined for cases where the client is not expected to subscribe). */
  readonly subscriber: SubscriberInfo | undefined;
  /** Multiply every deadline by this (slow machines, debuggers). */
  readonly scale: number;
  /** Records a broken must: the case fails. */
  fail(reason: string): void;
  /** Records a broken should: the case is non-strict (unless it also fails). */
  nonStrict(reason: string): void;
  /** Records an observation. */
  note(text: string): void;
  /** Deterministic sample notifications of a type (texts a C client keeps unchanged, §6.5). */
  sample(type: NotificationType, count: number): Notification[];
}

/** One conformance case. */
export interface ConformCase {
  readonly name: string;
  readonly title: string;
  readonly sections: readonly string[];
  /** Profiles the case applies to (default every profile). */
  readonly profiles?: readonly Profile[];
  /** The subscription the client is asked for ({mask}, {mask_names}). */
  readonly mask: readonly ConformMaskName[];
  /** Heartbeat / health-check intervals the client is asked for ({heartbeat}, {health_check}). */
  readonly heartbeatMs?: number;
  readonly healthCheckMs?: number;
  /** Server options of this case (merged over the runner's). */
  readonly server?: (dir: string) => Partial<MockServerOptions>;
  /** Prepares the server before the client starts; returns extra placeholders ({stream}, {start_time}…) and environment. */
  readonly setup?: (ctx: CaseSetupContext) => { readonly placeholders?: Placeholders; readonly env?: Readonly<Record<string, string>> } | undefined;
  /** Whether the client must subscribe before `run` (default true). */
  readonly subscribes?: boolean;
  /** Whether the client is expected to end (or lose its connection) during the case (default false). */
  readonly clientEnds?: boolean;
  /** Violations that are part of the case, not client mistakes. */
  readonly expectedViolations?: readonly ViolationCode[];
  /** Whether decoded output is compared (default true). */
  readonly compareOutput?: boolean;
  readonly run: (ctx: CaseContext) => Promise<void>;
}

const ACK_MS = 2000;
const END_MS = 5000;

function ackText(n: NotificationInput): string {
  switch (n.type) {
    case 'commit-diff':
      return `{${n.th ?? '?'},done}`;
    case 'audit':
      return `{${n.usid ?? '?'},synced}`;
    case 'audit-network':
      return `{${n.usid ?? '?'},audit_network_sync}`;
    case 'ha-info':
      return 'ha_synced';
    default:
      return 'no ack';
  }
}

/** Emits and waits for the acks; records a failure naming the missing ack. Returns whether it was acked. */
async function emitAcked(ctx: CaseContext, n: NotificationInput | Notification, within = ACK_MS): Promise<boolean> {
  const ms = Math.round(within * ctx.scale);
  const acksBefore = ctx.harness.acks.length;
  try {
    await ctx.harness.emit(n, { within: ms });
    return true;
  } catch (error) {
    if (!(error instanceof HarnessError)) throw error;
    const stray = ctx.harness.acks.slice(acksBefore).filter((a) => a.result !== 'matched');
    const sent = stray.length === 0 ? '' : `; it sent ${stray.map((a) => formatAck(a.ack)).join(', ')} instead`;
    const why = error.code === 'NSOMOCK_HARNESS_TIMEOUT' ? `within ${ms} ms` : 'before its connection closed';
    ctx.fail(`no ${ackText(n)} ${why} after the ${n.type} notification (§12.1)${sent}`);
    return false;
  }
}

/** Waits for the client to exit or to lose its connection; judges how (§7, §12.3). */
async function expectClientEnd(ctx: CaseContext, what: string): Promise<void> {
  const ms = Math.round(END_MS * ctx.scale);
  const exit = await ctx.client.waitForExit(ms);
  if (exit === undefined) {
    const resubscribed = ctx.harness.subscribers.some((s) => s.id !== ctx.subscriber?.id);
    if (resubscribed) ctx.note(`the client reconnected and subscribed again after ${what}`);
    else ctx.nonStrict(`the client neither exited nor reconnected within ${ms} ms after ${what}`);
    return;
  }
  if (exit.signal !== null) ctx.fail(`the client was killed by ${exit.signal} after ${what} (a crash)`);
  else if (exit.code === 0) ctx.note(`the client exited cleanly after ${what}`);
  else ctx.note(`the client exited with code ${exit.code} after ${what}`);
}

const decodeTypes = (Object.keys(notificationTypes) as NotificationType[]).filter(
  (t) => t !== 'heartbeat' && t !== 'health-check' && t !== 'stream-event',
);

function decodeCase(type: NotificationType): ConformCase {
  const spec = notificationTypes[type];
  const acks = spec.ack === 'diff-done';
  return {
    name: `decode.${type}`,
    title: `decodes ${type} notifications${acks ? ' and acks each one' : ''}`,
    sections: acks ? [spec.section, '§12.1'] : [spec.section],
    profiles: spec.profiles,
    mask: [type],
    async run(ctx) {
      for (const n of ctx.sample(type, 4)) {
        // One missing ack decides the case; waiting for the others only costs time.
        if (acks && !(await emitAcked(ctx, n))) return;
        if (!acks) await ctx.harness.emit(n, { noWait: true });
      }
    },
  };
}

/** A few hundred KB in one frame: a CQ progress with many completed devices (§5, §11.16). */
function largeCqProgress(devices: number): NotificationInput {
  return {
    type: 'cq-progress',
    event: 'completed',
    cq_id: 1_700_000_000_555,
    completed_devices: Array.from({ length: devices }, (_, i) => `pe-${i}`),
  } as NotificationInput;
}

const STREAM = 'conform-stream';

function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

function streamValues(ctx: CaseContext, count: number): { values: Extract<Notification, { type: 'stream-event'; event: 1 }>['values'] }[] {
  const events = fc.sample(
    notificationArbitrary('stream-event', { profile: ctx.profile, maxItems: 3, maxTextLength: 7 }).filter(
      (n): n is Extract<Notification, { type: 'stream-event'; event: 1 }> => n.event === 1 && isCStringSafe(n),
    ),
    { seed: 5, numRuns: count },
  );
  return events.map((e) => ({ values: e.values }));
}

/** Every case, in catalogue order. */
export const CONFORM_CASES: readonly ConformCase[] = [
  // ---------------------------------------------------------------------------------------------
  // Handshake and subscription (§2, §3, §4, §8)
  {
    name: 'handshake.tcp',
    title: 'connects over TCP, sends an event-manager header, subscribes and receives',
    sections: ['§2', '§4', '§5', '§8.1', '§8.4'],
    mask: ['audit'],
    async run(ctx) {
      const header = ctx.subscriber?.header;
      if (header !== undefined) {
        ctx.note(`header: client type ${header.clientType}, protocol ${header.protocolVersion}, library 0x${header.libraryVersion.toString(16)}, max depth/key ${header.maxDepth}/${header.maxKeyLength}`);
      }
      for (const n of ctx.sample('audit', 2)) await ctx.harness.emit(n, { noWait: true });
    },
  },
  {
    name: 'handshake.unix',
    title: 'connects over the Unix socket given by {unix} / NCS_IPC_PATH',
    sections: ['§1.1'],
    mask: ['audit'],
    server: (dir) => ({ unix: `${dir}/nso-ipc` }),
    setup: ({ dir }) => ({ placeholders: { unix: `${dir}/nso-ipc` }, env: { NCS_IPC_PATH: `${dir}/nso-ipc` } }),
    async run(ctx) {
      if (ctx.subscriber !== undefined && ctx.subscriber.transport !== 'unix') {
        ctx.nonStrict(`the client connected over ${ctx.subscriber.transport}, not over the Unix socket it was given (§1.1: NCS_IPC_PATH wins over NCS_IPC_PORT)`);
      }
      for (const n of ctx.sample('audit', 1)) await ctx.harness.emit(n, { noWait: true });
    },
  },
  {
    name: 'handshake.access-check',
    title: 'passes the IPC access check with the secret in NCS_IPC_ACCESS_FILE',
    sections: ['§3.1', '§3.2'],
    mask: ['audit'],
    server: () => ({ accessSecret: 'conform-secret\n' }),
    setup: ({ dir }) => {
      const file = `${dir}/ipc-access`;
      writeSecret(file, 'conform-secret\n');
      return { placeholders: { access_file: file }, env: { NCS_IPC_ACCESS_FILE: file, CONFD_IPC_ACCESS_FILE: file } };
    },
    async run(ctx) {
      const header = ctx.subscriber?.header;
      if (header !== undefined) ctx.note(`access check ${header.wantChallengeV2 ? 'v2 (SHA-256)' : 'v1 (MD5)'}`);
      for (const n of ctx.sample('audit', 1)) await ctx.harness.emit(n, { noWait: true });
    },
  },
  {
    name: 'handshake.version-mismatch',
    title: 'gives up when the version reply says the protocol version is not supported',
    sections: ['§4.1', '§17'],
    mask: ['audit'],
    subscribes: false,
    clientEnds: true,
    expectedViolations: ['bad-version'],
    compareOutput: false,
    server: () => ({ strict: true, allowedProtocolVersions: [1] }),
    async run(ctx) {
      const ms = Math.round(END_MS * ctx.scale);
      const exit = await ctx.client.waitForExit(ms);
      if (ctx.harness.subscribers.length > 0) ctx.fail('the client subscribed although the version reply had status 1');
      if (exit === undefined) ctx.nonStrict(`the client kept running ${ms} ms after a status-1 version reply (the C library fails the connect)`);
      else if (exit.signal !== null) ctx.fail(`the client was killed by ${exit.signal} after a status-1 version reply`);
      else ctx.note(`the client exited with code ${exit.code}`);
    },
  },
  {
    name: 'subscribe.refused',
    title: 'treats an {error, Code, Reason} subscription reply as a failure',
    sections: ['§8.4', '§14'],
    mask: ['stream-event'],
    subscribes: false,
    clientEnds: true,
    expectedViolations: ['stream-refused'],
    compareOutput: false,
    setup: () => ({ placeholders: { stream: 'no-such-stream' } }),
    async run(ctx) {
      const refused = await ctx.harness
        .waitFor(() => ctx.harness.violations.find((v) => v.code === 'stream-refused'), { within: Math.round(10_000 * ctx.scale) })
        .then(() => true, () => false);
      if (!refused) {
        ctx.fail('the client never asked for the stream it was given in {stream} (no stream subscription arrived)');
        return;
      }
      await expectClientEnd(ctx, 'a refused subscription');
    },
  },
  // ---------------------------------------------------------------------------------------------
  // NSO 6.2 clients (NSO62.md): the header that makes a mock pick 6.2 layouts, and those layouts
  {
    name: 'nso62.protocol-version',
    title: 'sends protocol version 82 in its connect header, as the NSO 6.2 libraries do (so an automatic mock picks the 6.2 layouts)',
    sections: ['§2', '§4.3', 'NSO62.md §A'],
    profiles: ['nso62'],
    mask: ['audit'],
    async run(ctx) {
      const header = ctx.subscriber?.header;
      if (header === undefined) return;
      ctx.note(`header: protocol ${header.protocolVersion}, library 0x${header.libraryVersion.toString(16)}`);
      const chosen = profileForProtocolVersion(header.protocolVersion);
      if (chosen.profile !== 'nso62') {
        ctx.fail(
          `the client sent protocol ${header.protocolVersion}, which an automatic mock (and NSO) answers with the ${chosen.profile} layouts; a 6.2 client sends ${PROFILE_INFO.nso62.protocolVersion} (NSO62.md §A)`,
        );
      }
      for (const n of ctx.sample('audit', 1)) await ctx.harness.emit(n, { noWait: true });
    },
  },
  {
    name: 'nso62.layouts',
    title: 'reads the 6.2 layouts: the progress 15-tuple with attributes and links, audit-network with an empty Config, call-home types 1 and 2',
    sections: ['§11.14', '§11.17', '§11.18', 'NSO62.md §B'],
    profiles: ['nso62', 'nso66'],
    mask: ['progress', 'commit-progress', 'audit-network', 'call-home-info'],
    async run(ctx) {
      const trace = '9b1a3a5e-7c1f-4f62-a1de-0d5f3c8b2e11';
      const inputs: NotificationInput[] = [
        { type: 'progress', event: 'start', timestamp: 1700000000123456, trace_id: trace, span_id: '00f067aa0ba902b7', parent_span_id: '53995c3f42cd8ad8', usid: 42, tid: 17, context: 'cli', subsystem: 'ncs', msg: 'run validation' },
        {
          type: 'commit-progress',
          event: 'stop',
          timestamp: 1700000000234567,
          duration: 111111,
          msg: 'applying service',
          attributes: [
            { name: 'service', value: '/vpn:l3vpn{acme}' },
            { name: 'commit-queue-id', value: 1700000000555 },
          ],
          links: [{ trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' }],
        },
        { type: 'progress', event: 'info', timestamp: 1700000000345678, usid: 0, msg: 'reloading packages' },
        { type: 'audit-network', usid: 0, tid: 0, user: 'system', device: 'pe-2' },
        { type: 'audit-network', usid: 42, tid: 17, user: 'admin', device: 'pe-1', trace_id: trace, config: 'interface GigabitEthernet0/1' },
        { type: 'call-home-info', event: 'device-connected', addr: '192.168.1.50', port: 4334, ssh_host_key: 'AAAA', device: 'pe-9' },
        { type: 'call-home-info', event: 'unknown-device', addr: '2001:db8::50', port: 4334, ssh_host_key: 'AAAA' },
      ];
      for (const n of inputs) await ctx.harness.emit(n, { noWait: true });
    },
  },
  // ---------------------------------------------------------------------------------------------
  // Decoding, one case per type (§9, §10, §11)
  ...decodeTypes.map(decodeCase),
  {
    name: 'decode.progress-out-of-order',
    title: 'decodes progress events that arrive out of causal order',
    sections: ['§11.14'],
    mask: ['commit-progress', 'progress'],
    async run(ctx) {
      const [trace] = fc.sample(reorderedProgressEvents(), { seed: 11, numRuns: 1 });
      for (const e of trace?.reordered ?? []) await ctx.harness.emit(e as NotificationInput, { noWait: true });
    },
  },
  // ---------------------------------------------------------------------------------------------
  // Acks (§12)
  {
    name: 'ack.commit-diff',
    title: 'acks every commit diff with {TH, done} for its own TH',
    sections: ['§11.4', '§12.1', '§6.3'],
    mask: ['commit-diff'],
    async run(ctx) {
      // One TH per integer encoding: SMALL_INTEGER, INTEGER, and the largest 32-bit value.
      for (const th of [17, 300, 70_000, 2_147_483_647]) if (!(await emitAcked(ctx, { type: 'commit-diff', th }))) return;
    },
  },
  {
    name: 'ack.interleaved',
    title: 'acks commit diffs while other notifications keep flowing',
    sections: ['§12.2'],
    mask: ['commit-diff', 'daemon', 'audit'],
    async run(ctx) {
      const first = await ctx.harness.emit({ type: 'commit-diff', th: 21 }, { noWait: true });
      for (const n of [...ctx.sample('daemon', 3), ...ctx.sample('audit', 3)]) await ctx.harness.emit(n, { noWait: true });
      const second = await ctx.harness.emit({ type: 'commit-diff', th: 22 }, { noWait: true });
      for (const [th, d] of [[21, first], [22, second]] as const) {
        const outcome = await within(d.delivery.acked, Math.round(ACK_MS * ctx.scale));
        if (outcome === undefined || !outcome.ok) ctx.fail(`no {${th},done} within ${Math.round(ACK_MS * ctx.scale)} ms while other notifications flowed (§12.2)`);
      }
    },
  },
  {
    name: 'ack.audit-sync',
    title: 'acks audit notifications with {Usid, synced} when AUDIT_SYNC is subscribed',
    sections: ['§11.1', '§12.1'],
    mask: ['audit', 'audit-sync'],
    async run(ctx) {
      for (const usid of [42, 0, 70_000]) if (!(await emitAcked(ctx, { ...ctx.sample('audit', 1)[0], type: 'audit', usid } as NotificationInput))) return;
    },
  },
  {
    name: 'ack.ha-sync',
    title: 'acks HA notifications with ha_synced when HA_INFO_SYNC is subscribed',
    sections: ['§11.6', '§12.1', '§12.2'],
    mask: ['ha-info', 'ha-info-sync'],
    async run(ctx) {
      for (const n of ctx.sample('ha-info', 3)) if (!(await emitAcked(ctx, n))) return;
    },
  },
  {
    name: 'ack.audit-network-sync',
    title: 'acks audit-network notifications with {Usid, audit_network_sync}',
    sections: ['§11.18', '§12.1'],
    profiles: ['nso62', 'nso66'],
    mask: ['audit-network', 'audit-network-sync'],
    async run(ctx) {
      for (const n of ctx.sample('audit-network', 2)) if (!(await emitAcked(ctx, n))) return;
    },
  },
  {
    name: 'ack.none-without-flag',
    title: 'sends no audit or HA ack when the sync flags are not subscribed',
    sections: ['§12.1', '§12.4'],
    mask: ['audit', 'ha-info'],
    async run(ctx) {
      for (const n of [...ctx.sample('audit', 2), ...ctx.sample('ha-info', 2)]) await ctx.harness.emit(n, { noWait: true });
      // Give a wrong ack time to arrive; it would be an ack-without-flag violation.
      await sleep(Math.round(300 * ctx.scale));
      const stray = ctx.harness.acks;
      if (stray.length > 0) ctx.fail(`the client acked without the sync flag: ${stray.map((a) => formatAck(a.ack)).join(', ')} (§12.4)`);
    },
  },
  // ---------------------------------------------------------------------------------------------
  // Heartbeat and health check (§13)
  {
    name: 'heartbeat.receive',
    title: 'subscribes with a heartbeat interval and receives heartbeats',
    sections: ['§8.1', '§11.11', '§13'],
    mask: ['heartbeat'],
    heartbeatMs: 1000,
    async run(ctx) {
      const sub = ctx.subscriber;
      if (sub !== undefined && sub.subscription.heartbeatInterval !== 1000) {
        ctx.nonStrict(`the client asked for a heartbeat interval of ${sub.subscription.heartbeatInterval} ms, not the {heartbeat} of 1000 ms`);
      }
      await ctx.harness
        .waitFor(() => (ctx.harness.subscribers[0]?.delivered ?? 0) >= 2, { within: Math.round(3500 * ctx.scale), description: 'two heartbeats' })
        .catch(() => ctx.fail('the mock could not deliver two heartbeats within 3.5 s'));
    },
  },
  {
    name: 'heartbeat.watchdog',
    title: 'notices when heartbeats stop (a hung server) and gives up on the connection',
    sections: ['§13'],
    mask: ['heartbeat'],
    heartbeatMs: 1000,
    clientEnds: true,
    async run(ctx) {
      await ctx.harness.waitFor(() => (ctx.harness.subscribers[0]?.delivered ?? 0) >= 1, { within: Math.round(2500 * ctx.scale) }).catch(() => undefined);
      ctx.server.hang(true);
      const hungAt = Date.now();
      const ms = Math.round(5000 * ctx.scale);
      const gone = await Promise.race([
        ctx.client.exited.then(() => 'exited' as const),
        ctx.harness.waitFor(() => ctx.harness.subscribers.length === 0, { within: ms }).then(() => 'closed' as const, () => 'still connected' as const),
      ]);
      if (gone === 'still connected') ctx.nonStrict(`no heartbeat watchdog: the client stayed connected ${ms} ms after heartbeats stopped (§13)`);
      else ctx.note(`the client ${gone === 'exited' ? 'exited' : 'closed its connection'} ${Date.now() - hungAt} ms after heartbeats stopped`);
      const exit = ctx.client.exit;
      if (exit?.signal !== undefined && exit.signal !== null) ctx.fail(`the client was killed by ${exit.signal} when heartbeats stopped`);
    },
  },
  {
    name: 'health-check.receive',
    title: 'subscribes with a health-check interval and receives health checks',
    sections: ['§8.1', '§11.11', '§13'],
    mask: ['health-check'],
    healthCheckMs: 1000,
    async run(ctx) {
      await ctx.harness
        .waitFor(() => (ctx.harness.subscribers[0]?.delivered ?? 0) >= 1, { within: Math.round(2500 * ctx.scale), description: 'a health check' })
        .catch(() => ctx.fail('the mock could not deliver a health check within 2.5 s'));
    },
  },
  // ---------------------------------------------------------------------------------------------
  // Streams (§8.1 StreamInfo, §11.15, §14)
  {
    name: 'stream.live',
    title: 'subscribes to a named stream and decodes its live events',
    sections: ['§8.1', '§11.15', '§14'],
    mask: ['stream-event'],
    setup: ({ server }) => {
      server.streams.define(STREAM);
      return { placeholders: { stream: STREAM } };
    },
    async run(ctx) {
      for (const e of streamValues(ctx, 3)) ctx.server.streams.publish(STREAM, e);
      await ctx.harness.waitFor(() => (ctx.harness.subscribers[0]?.delivered ?? 0) >= 3, { within: 2000 }).catch(() => undefined);
    },
  },
  {
    name: 'stream.replay',
    title: 'replays a stream from {start_time}: history, replay_complete, then live events',
    sections: ['§8.1', '§11.15', '§14'],
    mask: ['stream-event'],
    setup: ({ server }) => {
      const info = server.streams.define(STREAM);
      return { placeholders: { stream: STREAM, start_time: isoOf(info.logStart) } };
    },
    async run(ctx) {
      // History was empty at subscription time; publish live events after replay_complete.
      for (const e of streamValues(ctx, 2)) ctx.server.streams.publish(STREAM, e);
      await ctx.harness.waitFor(() => (ctx.harness.subscribers[0]?.delivered ?? 0) >= 3, { within: 2000 }).catch(() => undefined);
    },
  },
  {
    name: 'stream.replay-window',
    title: 'replays a closed window: events, replay_complete, notification_complete',
    sections: ['§11.15', '§14'],
    mask: ['stream-event'],
    setup: ({ server }) => {
      const info = server.streams.define(STREAM);
      const values = fc.sample(
        notificationArbitrary('stream-event', { maxItems: 3, maxTextLength: 7 }).filter(
          (n): n is Extract<Notification, { type: 'stream-event'; event: 1 }> => n.event === 1 && isCStringSafe(n),
        ),
        { seed: 9, numRuns: 2 },
      );
      for (const v of values) server.streams.publish(STREAM, { values: v.values });
      return { placeholders: { stream: STREAM, start_time: isoOf(info.logStart), stop_time: isoOf(server.clock.now()) } };
    },
    async run(ctx) {
      await ctx.harness.waitFor(() => (ctx.harness.subscribers[0]?.delivered ?? 0) >= 4, { within: 2000 }).catch(() => undefined);
    },
  },
  {
    name: 'stream.replay-failed',
    title: 'decodes replay_failed for a stream without replay support',
    sections: ['§11.15', '§14'],
    mask: ['stream-event'],
    setup: ({ server }) => {
      server.streams.define(STREAM, { replaySupport: false });
      return { placeholders: { stream: STREAM, start_time: isoOf(server.clock.now() - 60_000) } };
    },
    async run(ctx) {
      await ctx.harness.waitFor(() => (ctx.harness.subscribers[0]?.delivered ?? 0) >= 1, { within: 2000 }).catch(() => undefined);
    },
  },
  // ---------------------------------------------------------------------------------------------
  // The server ends the connection (§5, §7, §12.3)
  {
    name: 'server.close',
    title: 'notices that the server closed the connection, and neither crashes nor hangs',
    sections: ['§7', '§12.3'],
    mask: ['audit', 'commit-diff'],
    clientEnds: true,
    async run(ctx) {
      for (const n of ctx.sample('audit', 1)) await ctx.harness.emit(n, { noWait: true });
      if (ctx.subscriber !== undefined) ctx.server.connection(ctx.subscriber.id).close();
      await expectClientEnd(ctx, 'the server closed the connection');
    },
  },
  {
    name: 'server.close-mid-frame',
    title: 'survives a connection that ends in the middle of a frame',
    sections: ['§5', '§7'],
    mask: ['audit'],
    clientEnds: true,
    compareOutput: false,
    async run(ctx) {
      if (ctx.subscriber === undefined) return;
      ctx.server.connection(ctx.subscriber.id).truncateNextFrame();
      const [n] = ctx.sample('audit', 1);
      if (n !== undefined) await ctx.harness.emit(n, { noWait: true });
      await expectClientEnd(ctx, 'half a frame and the end of the connection');
    },
  },
  // ---------------------------------------------------------------------------------------------
  // Transport robustness (§1.2, §5, §10.3)
  {
    name: 'transport.chunked',
    title: 'reassembles frames delivered one byte at a time',
    sections: ['§5'],
    mask: ['commit-diff', 'user-session', 'daemon'],
    async run(ctx) {
      if (ctx.subscriber !== undefined) ctx.server.connection(ctx.subscriber.id).slowWrite(1, 0);
      for (const n of [...ctx.sample('user-session', 2), ...ctx.sample('daemon', 2)]) await ctx.harness.emit(n, { noWait: true });
      await emitAcked(ctx, { type: 'commit-diff', th: 4242 }, 5000);
    },
  },
  {
    name: 'transport.large-frame',
    title: 'reads a frame of several hundred kilobytes',
    sections: ['§5', '§11.16'],
    mask: ['cq-progress', 'commit-diff'],
    async run(ctx) {
      await ctx.harness.emit(largeCqProgress(30_000), { noWait: true });
      await emitAcked(ctx, { type: 'commit-diff', th: 31 }, 5000);
    },
  },
  {
    name: 'transport.burst',
    title: 'keeps reading and acking through a burst of 1000 notifications',
    sections: ['§1.2', '§12.2', '§20'],
    mask: ['commit-diff', 'daemon', 'devel'],
    server: () => ({ writeStallTimeoutMs: 10_000 }),
    async run(ctx) {
      const logs = [...ctx.sample('daemon', 5), ...ctx.sample('devel', 5)];
      const diffs: Promise<unknown>[] = [];
      for (let i = 0; i < 1000; i++) {
        if (i % 100 === 99) {
          const d = await ctx.harness.emit({ type: 'commit-diff', th: 10_000 + i }, { noWait: true });
          diffs.push(d.delivery.acked.then((o) => (o.ok ? undefined : ctx.fail(`no {${10_000 + i},done} during the burst`))));
        } else {
          ctx.server.emit(logs[i % logs.length] as Notification);
        }
      }
      const ms = Math.round(10_000 * ctx.scale);
      const done = (await within(Promise.all(diffs).then(() => true), ms)) === true;
      if (!done) ctx.fail(`the client did not ack the 10 commit diffs of a 1000-notification burst within ${ms} ms`);
    },
  },
  {
    name: 'transport.unknown-type',
    title: 'survives a notification whose type it cannot decode, and keeps acking',
    sections: ['§10.3', '§18'],
    mask: ['commit-diff'],
    compareOutput: false,
    // A client that exits on it leaves {77, done} owed; the case judges that itself (non-strict).
    expectedViolations: ['ack-missing'],
    async run(ctx) {
      if (ctx.subscriber === undefined) return;
      // {4}: TAKEOVER_SYSLOG is a flag, never a notification; the C library reports "Bad notification struct" (§11.20).
      ctx.server.connection(ctx.subscriber.id).inject(encodeFrame(tuple(int(4))));
      const acked = await ctx.harness.emit({ type: 'commit-diff', th: 77 }, { within: Math.round(ACK_MS * ctx.scale) }).then(
        () => true,
        () => false,
      );
      if (acked) return;
      const exit = await ctx.client.waitForExit(500);
      if (exit === undefined) ctx.fail('after an undecodable notification the client stopped acking (no {77,done}) but kept running');
      else if (exit.signal !== null) ctx.fail(`the client was killed by ${exit.signal} on an undecodable notification`);
      else ctx.nonStrict(`the client exited (code ${exit.code}) on an undecodable notification; the C library raises "Bad notification struct" too, but a subscriber should report it and keep reading`);
    },
    clientEnds: true,
  },
];

/** The promise's value, or undefined after `ms`; the timer is cleared either way (no lingering handle). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function writeSecret(file: string, secret: string): void {
  writeFileSync(file, secret, { mode: 0o600 });
}

/**
 * The cases that apply to a profile, optionally filtered by names or prefixes (`decode`,
 * `decode.audit`, `ack.*`).
 */
export function selectCases(profile: Profile, filters?: readonly string[]): ConformCase[] {
  const applicable = CONFORM_CASES.filter((c) => (c.profiles ?? PROFILES).includes(profile));
  if (filters === undefined || filters.length === 0) return applicable;
  return applicable.filter((c) =>
    filters.some((f) => {
      const p = f.endsWith('.*') ? f.slice(0, -2) : f;
      return c.name === p || c.name.startsWith(`${p}.`);
    }),
  );
}
