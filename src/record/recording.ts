/**
 * What `nso-mock record` saw, and the scenario it becomes. Socket-free: the proxy (proxy.ts) calls
 * the `on…` methods as bytes pass through it, with times from an injected clock; {@link
 * Recording.build} turns the timeline into a scenario document plus the comments that explain it.
 *
 * How the timeline maps to steps (docs/cli.md "record"):
 * - a subscription → `await-subscribers` (count = the subscribed connections with that mask so far);
 * - a notification frame → `emit` with every field as decoded, when the mock would re-encode it to
 *   the same bytes (checked by {@link checkReplay} through the real scenario loader); otherwise
 *   `emit-raw` with the exact bytes, to that connection. Nothing is dropped;
 * - each connection's frames are checked against the profile its client gets on replay: the
 *   forced one, else (`auto`, the default) the profile of the client's own connect header
 *   (`profileForProtocolVersion`: 77 → nso57, 82 → nso62), as the replaying mock picks it;
 * - one NSO broadcast seen on several connections is one `emit`: the same bytes, or (clients of
 *   different profiles) the first connection's notification encoded under the other's profile is
 *   exactly what the other got. An emit that would reach, on replay, a subscriber that did not
 *   get it is written as `emit-raw` to each recipient instead;
 * - the time between events → `wait` (at most `maxGapMs` each, when given);
 * - an ack → `expect-ack` once every connection that owed it answered (latencies in a comment);
 *   an ack never sent (the client closed, or the recording ended) → an `expect-ack` that says so,
 *   which fails when replayed against the same client;
 * - the upstream closing a subscriber → `fault: { kind: close }` for it;
 * - heartbeats and health checks are counted, not written: the mock sends them itself from each
 *   subscription's interval (PROTOCOL.md §13), so writing them too would double them.
 */
import {
  ackFromTerm,
  ackKeyString,
  ackRequiredBy,
  decodeTerm,
  encodeFrame,
  formatAck,
  formatTerm,
  normalizeNotification,
  notificationFromTerm,
  notificationToTerm,
  notificationTypes,
  NOTIF,
  profileForProtocolVersion,
  subscribeReplyFromTerm,
  subscriptionFromTerm,
  type Ack,
  type ConnectHeader,
  type Notification,
  type Profile,
  type Subscription,
  type Term,
  type VersionReply,
  unavailableReason,
} from '../codec/index.js';
import { formatDuration, type ScenarioDocument, type StepDocument, type SubscriberSelector } from '../scenarios/index.js';
import { redactValue, type RedactRule } from './redact.js';

/** How a connection is transported. */
export type RecordTransport = 'tcp' | 'unix';

/** Who ended a connection. */
export type ClosedBy = 'client' | 'upstream' | 'proxy';

interface ConnectionRecord {
  readonly id: number;
  readonly transport: RecordTransport;
  readonly remote: string;
  readonly openedAt: number;
  header?: ConnectHeader;
  versionReply?: VersionReply;
  subscription?: Subscription;
  subscribedAt?: number;
  subscribeReply?: string;
  /** Position among subscribed connections (the mock's `{ index: n }` selector). */
  index?: number;
  notifications: number;
  acks: number;
  raw: number;
  periodic: number;
  streamMarkers: number;
  /** Between a stream subscription with a start time and the replay-complete or replay-failed marker. */
  replaying?: boolean;
  bytesUp: number;
  bytesDown: number;
  closedAt?: number;
  closedBy?: ClosedBy;
  closeReason?: string;
  notes: string[];
}

type TimelineEvent =
  | { readonly kind: 'subscribed'; readonly at: number; readonly conn: number }
  | { readonly kind: 'frame'; readonly at: number; readonly conn: number; readonly bytes: Uint8Array; readonly notification: Notification }
  /** A stream event the upstream replayed (before its replay-complete marker, PROTOCOL.md §14). */
  | { readonly kind: 'history'; readonly at: number; readonly conn: number; readonly stream: string; readonly bytes: Uint8Array; readonly notification: Notification }
  | { readonly kind: 'raw'; readonly at: number; readonly conn: number; readonly bytes: Uint8Array; readonly why: string }
  | { readonly kind: 'ack'; readonly at: number; readonly conn: number; readonly ack: Ack }
  | { readonly kind: 'upstream-closed'; readonly at: number; readonly conn: number; readonly reason: string }
  | { readonly kind: 'client-closed'; readonly at: number; readonly conn: number };

/** What the recording is of, for the header comment. */
export interface RecordingContext {
  /** `tcp 10.0.0.5:4569` or `unix /tmp/nso/nso-ipc`. */
  readonly upstream: string;
  /** How the recorder answered the upstream's access check, e.g. `v2 with /etc/ncs/ipc_access` or `none`. */
  readonly upstreamAccess: string;
  /** How the recorder checked its clients, e.g. `required (secret /tmp/s)` or `none`. */
  readonly clientAccess: string;
  /** The version of nso-mock that recorded. */
  readonly recorder: string;
}

/** Options of {@link Recording.build}. */
export interface BuildOptions {
  /** The scenario's name. */
  readonly name: string;
  /**
   * The profile forced on every connection at replay (written into the scenario); undefined:
   * `auto`, each connection's frames are checked against the profile of its client's protocol
   * version, and the scenario names none.
   */
  readonly profile?: Profile;
  /** Longest `wait` written; longer gaps are shortened to it (and say so). Undefined = as recorded. */
  readonly maxGapMs?: number;
  /** Applied to every text of the emitted notifications and of the comments. */
  readonly redact?: readonly RedactRule[];
  /** Recorded frames (by event number) that must be written as `emit-raw` (from {@link checkReplay}). */
  readonly forceRaw?: ReadonlySet<number>;
  /** When the recording ended (ms, the recorder's clock). */
  readonly endedAt: number;
}

/** A built recording: the document, its comments, and which step carries which recorded bytes. */
export interface BuiltRecording {
  readonly document: ScenarioDocument;
  /** Comment lines of the file's header. */
  readonly header: readonly string[];
  /** A comment per step index (written above the step). */
  readonly stepComments: ReadonlyMap<number, string>;
  /**
   * Per step index of an `emit`: each connection that received it, with the recorded event
   * number, the exact frame bytes the mock must send it and the profile it gets on replay.
   */
  readonly emitted: ReadonlyMap<number, readonly RecordedFrame[]>;
  /** Per step index of a `stream` step: its `history` events, as recorded event numbers and bytes, in order. */
  readonly streamHistory: ReadonlyMap<number, readonly RecordedFrame[]>;
  /**
   * Events of emits that the replay would also send to a subscriber that did not get them in the
   * recording (its profile can carry them): they must be written as `emit-raw` to each recipient.
   */
  readonly overreaching: ReadonlySet<number>;
  /** Counts for the summary line. */
  readonly totals: { readonly emits: number; readonly raw: number; readonly acks: number; readonly missingAcks: number; readonly connections: number };
}

/** One recorded frame an emitted step must reproduce. */
export interface RecordedFrame {
  readonly event: number;
  readonly conn: number;
  readonly bytes: Uint8Array;
  /** The profile its connection gets on replay. */
  readonly profile: Profile;
}

const FLAG_NAMES: readonly (readonly [string, number])[] = [
  ['audit-sync', NOTIF.AUDIT_SYNC],
  ['ha-info-sync', NOTIF.HA_INFO_SYNC],
  ['audit-network-sync', NOTIF.AUDIT_NETWORK_SYNC],
  ['takeover-syslog', NOTIF.TAKEOVER_SYSLOG],
];

/** The names of a mask's bits as a scenario writes them (unknown bits are left out and noted by the caller). */
function maskNames(mask: number): string[] {
  const types = Object.entries(notificationTypes)
    .filter(([, spec]) => (mask & spec.bit) !== 0)
    .map(([name]) => name);
  return [...types, ...FLAG_NAMES.filter(([, bit]) => (mask & bit) !== 0).map(([name]) => name)];
}

function knownBits(mask: number): number {
  let known = 0;
  for (const spec of Object.values(notificationTypes)) known |= spec.bit;
  for (const [, bit] of FLAG_NAMES) known |= bit;
  return mask & known;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A frame (length prefix included) as a fresh copy: the proxy's chunks are views it may reuse. */
function framed(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length);
  out.set(payload, 4);
  return out;
}

/** Human text of a client's library, from its connect header (PROTOCOL.md §2, NSO62.md A). */
function libraryOf(h: ConnectHeader): string {
  const who = h.maxDepth !== 0 ? 'C/Python library' : 'Java/econfd library';
  const v = h.libraryVersion;
  return `${who} ${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}, protocol ${h.protocolVersion}`;
}

function formatVersionReply(r: VersionReply): string {
  const v = r.libraryVersion;
  const version = `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
  return `status ${r.status}, protocol ${r.protocolVersion}, version ${version} (0x${v.toString(16).padStart(8, '0')}), max depth ${r.maxDepth}, max key length ${r.maxKeyLength}`;
}

const CLIENT_TYPE_NAMES: Readonly<Record<number, string>> = {
  3: 'data provider control',
  5: 'CDB',
  7: 'MAAPI',
  8: 'notification stream',
  11: 'event notifications',
  12: 'NETCONF subsystem helper',
  17: 'HA',
  18: 'NSO Java client',
};

/** The client type's name (PROTOCOL.md §2). */
export function clientTypeName(type: number): string {
  return CLIENT_TYPE_NAMES[type] ?? 'unknown';
}

/** Plain data for YAML: copies, and turns `undefined` members into nothing. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(v);
    return out;
  }
  return value;
}

/**
 * The timeline of one recording session.
 * @example
 *   const rec = new Recording({ upstream: 'tcp 127.0.0.1:4569', upstreamAccess: 'none', clientAccess: 'none', recorder: '0.1.0' }, Date.now());
 *   rec.onConnect(1, 'tcp', '127.0.0.1:50000', Date.now());
 */
export class Recording {
  readonly context: RecordingContext;
  readonly startedAt: number;
  readonly #connections = new Map<number, ConnectionRecord>();
  readonly #events: TimelineEvent[] = [];
  readonly #notes: string[] = [];
  #subscribed = 0;

  constructor(context: RecordingContext, startedAt: number) {
    this.context = context;
    this.startedAt = startedAt;
  }

  /** Notes for the header (problems and facts the steps cannot show). */
  note(message: string, at: number): void {
    this.#notes.push(`${formatDuration(Math.max(0, at - this.startedAt))}: ${message}`);
  }

  /** A client connected to the recorder. */
  onConnect(id: number, transport: RecordTransport, remote: string, at: number): void {
    this.#connections.set(id, {
      id,
      transport,
      remote,
      openedAt: at,
      notifications: 0,
      acks: 0,
      raw: 0,
      periodic: 0,
      streamMarkers: 0,
      bytesUp: 0,
      bytesDown: 0,
      notes: [],
    });
  }

  #conn(id: number): ConnectionRecord {
    const c = this.#connections.get(id);
    if (c === undefined) throw new Error(`Failed to record: connection ${id} was never opened`);
    return c;
  }

  /** The client's connect header (PROTOCOL.md §2). */
  onHeader(id: number, header: ConnectHeader): void {
    this.#conn(id).header = header;
  }

  /** A note on one connection (shown with it in the header). */
  noteConnection(id: number, message: string): void {
    this.#conn(id).notes.push(message);
  }

  /** The upstream's version reply on this connection (§4). */
  onVersionReply(id: number, reply: VersionReply): void {
    this.#conn(id).versionReply = reply;
  }

  /** Bytes forwarded untouched (other client types), for the counts. */
  onForwarded(id: number, direction: 'up' | 'down', bytes: number): void {
    const c = this.#conn(id);
    if (direction === 'up') c.bytesUp += bytes;
    else c.bytesDown += bytes;
  }

  /** A frame from the client (after the handshake): the subscription first, then acks (§8, §12). */
  onClientFrame(id: number, payload: Uint8Array, at: number): void {
    const c = this.#conn(id);
    let term: Term;
    try {
      term = decodeTerm(payload);
    } catch (error) {
      c.notes.push(`sent a frame that does not decode (${(error as Error).message}): ${hex(framed(payload)).slice(0, 64)}`);
      return;
    }
    if (c.subscription === undefined && c.subscribedAt === undefined) {
      try {
        c.subscription = subscriptionFromTerm(term);
        c.subscribedAt = at;
      } catch (error) {
        c.subscribedAt = at;
        c.notes.push(`sent a subscription the mock would refuse: ${formatTerm(term)} (${(error as Error).message})`);
      }
      return;
    }
    const ack = ackFromTerm(term);
    if (ack === undefined) {
      c.notes.push(`sent ${formatTerm(term)}, which is no ack (PROTOCOL.md §12.1)`);
      return;
    }
    c.acks += 1;
    this.#events.push({ kind: 'ack', at, conn: id, ack });
  }

  /** A frame from the upstream (after the handshake): the subscription reply, then notifications. */
  onServerFrame(id: number, payload: Uint8Array, at: number): void {
    const c = this.#conn(id);
    const bytes = framed(payload);
    let term: Term;
    try {
      term = decodeTerm(payload);
    } catch (error) {
      this.#raw(c, bytes, at, `the term does not decode: ${(error as Error).message}`);
      return;
    }
    if (c.subscribeReply === undefined && c.subscribedAt !== undefined) {
      c.subscribeReply = formatTerm(term);
      const reply = subscribeReplyFromTerm(term);
      if (reply.ok && c.subscription !== undefined) {
        if (c.subscription.stream?.startTime !== undefined) c.replaying = true;
        c.index = this.#subscribed;
        this.#subscribed += 1;
        // Dated when the client sent it: the upstream emits nothing for it before that, whereas the
        // replies on several sockets can reach the recorder after notifications on another one.
        this.#events.push({ kind: 'subscribed', at: c.subscribedAt ?? at, conn: id });
      } else if (!reply.ok) {
        c.notes.push(`the upstream refused the subscription: error ${reply.code} ${JSON.stringify(reply.reason)}`);
      }
      return;
    }
    let n: Notification;
    try {
      n = notificationFromTerm(term);
    } catch (error) {
      this.#raw(c, bytes, at, `no notification layout reads it: ${(error as Error).message}`);
      return;
    }
    if (n.type === 'heartbeat' || n.type === 'health-check') {
      c.periodic += 1;
      return;
    }
    if (n.type === 'stream-event' && n.event !== 1) {
      // replay-complete, notification-complete, replay-failed: the mock sends its own (§14).
      c.streamMarkers += 1;
      if (n.event === 3 || n.event === 4) c.replaying = false;
      return;
    }
    const stream = c.subscription?.stream?.name;
    if (n.type === 'stream-event' && c.replaying === true && stream !== undefined) {
      c.notifications += 1;
      this.#events.push({ kind: 'history', at, conn: id, stream, bytes, notification: n });
      return;
    }
    c.notifications += 1;
    this.#events.push({ kind: 'frame', at, conn: id, bytes, notification: n });
  }

  /** Bytes from the upstream that are no frame (after a bad length prefix): kept as they are. */
  onServerBytes(id: number, bytes: Uint8Array, at: number, why: string): void {
    this.#raw(this.#conn(id), Uint8Array.from(bytes), at, why);
  }

  #raw(c: ConnectionRecord, bytes: Uint8Array, at: number, why: string): void {
    c.raw += 1;
    if (c.index === undefined) {
      // Not a subscriber yet: no step can write to it; the header keeps the bytes.
      c.notes.push(`received ${bytes.length} bytes before its subscription was accepted (${why}): ${hex(bytes)}`);
      return;
    }
    this.#events.push({ kind: 'raw', at, conn: c.id, bytes, why });
  }

  /** The connection ended. */
  onClosed(id: number, by: ClosedBy, reason: string, at: number): void {
    const c = this.#conn(id);
    if (c.closedAt !== undefined) return;
    c.closedAt = at;
    c.closedBy = by;
    c.closeReason = reason;
    // Closed by the recorder (stopping): the connection counts as open at the end of the recording.
    if (c.index === undefined || by === 'proxy') return;
    this.#events.push(by === 'client' ? { kind: 'client-closed', at, conn: id } : { kind: 'upstream-closed', at, conn: id, reason });
  }

  /** The recorded notification frames, by event number, with the bytes the upstream sent. */
  frames(): { readonly event: number; readonly bytes: Uint8Array; readonly notification: Notification }[] {
    return this.#events.flatMap((e, event) => (e.kind === 'frame' ? [{ event, bytes: e.bytes, notification: e.notification }] : []));
  }

  /** The profile connection `c` gets on replay: the forced one, else its client's, as the mock picks it. */
  #profileOf(c: ConnectionRecord, forced: Profile | undefined): Profile {
    return forced ?? profileForProtocolVersion(c.header?.protocolVersion ?? 0).profile;
  }

  /** Event clients seen, and whether any subscribed. */
  get counts(): { readonly connections: number; readonly subscribed: number } {
    return { connections: this.#connections.size, subscribed: this.#subscribed };
  }

  /**
   * The scenario of this recording.
   * @example
   *   const built = rec.build({ name: 'lab incident', endedAt: Date.now() }); // auto: each connection its client's profile
   */
  build(options: BuildOptions): BuiltRecording {
    const rules = options.redact ?? [];
    const steps: StepDocument[] = [];
    const comments = new Map<number, string>();
    const emitted = new Map<number, RecordedFrame[]>();
    const totals = { emits: 0, raw: 0, acks: 0, missingAcks: 0 };
    const comment = (text: string): void => {
      const i = steps.length - 1;
      const before = comments.get(i);
      comments.set(i, before === undefined ? text : `${before}\n${text}`);
    };
    let last = this.startedAt;
    /** The recorded ms of the last step when it is a wait (consecutive waits are written as one). */
    let waitMs: number | undefined;
    const gap = (at: number): void => {
      let ms = Math.round(at - last);
      if (ms < 1) return;
      last = at;
      if (waitMs !== undefined && steps.length > 0 && 'wait' in (steps[steps.length - 1] as object)) {
        ms += waitMs;
        steps.pop();
        comments.delete(steps.length);
      }
      waitMs = ms;
      if (options.maxGapMs !== undefined && ms > options.maxGapMs) {
        steps.push({ wait: formatDuration(options.maxGapMs) });
        comment(`${formatDuration(ms)} upstream, shortened by --max-gap`);
        return;
      }
      steps.push({ wait: formatDuration(ms) });
    };

    interface Emission {
      readonly step: number;
      readonly at: number;
      /** The first frame's bytes, notification and connection profile. */
      readonly bytes: Uint8Array;
      readonly n: Notification;
      readonly profile: Profile;
      readonly bit: number;
      /** Written as `emit-raw` (each recipient gets its own); else one `emit` for every recipient. */
      readonly raw: boolean;
      /** The recorded frames of an `emit`, one per recipient. */
      readonly frames: RecordedFrame[];
      readonly receivers: Set<number>;
      /** The subscribers the mock would send it to on replay (mask and profile), fixed when it was first seen. */
      readonly reach: ReadonlySet<number>;
      /** Subscribers that should get it too (an NSO broadcast reaches every mask with its bit); its expect-ack waits for them. */
      readonly expected: Set<number>;
      /** Per connection that owes an ack: when it received the notification. */
      readonly owed: Map<number, number>;
      /** Per connection: the ack latency, or why there was none. */
      readonly settled: Map<number, string>;
      readonly ack?: Ack;
      done: boolean;
    }
    const emissions: Emission[] = [];
    const open = new Set<number>();
    /** Whether `m` (first seen on another connection) is the broadcast that sent `bytes` to a client of `profile`. */
    const sameBroadcast = (m: Emission, bytes: Uint8Array, profile: Profile): boolean => {
      if (equalBytes(m.bytes, bytes)) return true;
      if (m.profile === profile || unavailableReason(m.n, profile) !== undefined) return false;
      try {
        // A client of another profile got another layout of the same event: the first one's
        // notification, encoded as the mock would for this client, must be exactly what it got.
        const n = normalizeNotification(m.n, { now: () => 0 });
        return equalBytes(encodeFrame(notificationToTerm(n, profile), { atomEncoding: 'latin1' }), bytes);
      } catch {
        return false;
      }
    };

    const ackFields = (ack: Ack): Record<string, unknown> => {
      switch (ack.kind) {
        case 'diff-done':
          return { th: ack.th };
        case 'audit-synced':
          return { usid: ack.usid };
        case 'audit-network-synced':
          return { usid: ack.usid, of: 'audit-network' };
        case 'ha-synced':
          return { ha: true };
      }
    };
    const settle = (m: Emission, at: number, force = false): void => {
      if (m.done || m.ack === undefined || m.owed.size === 0 || [...m.owed.keys()].some((id) => !m.settled.has(id))) return;
      if (!force && [...m.expected].some((id) => !m.receivers.has(id))) return;
      m.done = true;
      gap(at);
      steps.push({ 'expect-ack': ackFields(m.ack) as never });
      const lines = [...m.settled.entries()].map(([id, how]) => `connection ${id} ${how}`);
      const missing = [...m.settled.values()].some((how) => how.startsWith('never'));
      if (missing) totals.missingAcks += 1;
      else totals.acks += 1;
      comment(`${formatAck(m.ack)} upstream: ${lines.join('; ')}${missing ? ' (this step fails when the client does the same again)' : ''}`);
    };
    const giveUp = (conn: number, at: number, why: string): void => {
      for (const m of emissions) {
        m.expected.delete(conn);
        settle(m, at);
        const since = m.owed.get(conn);
        if (since !== undefined && !m.settled.has(conn)) {
          m.settled.set(conn, `never sent it: ${why} ${formatDuration(at - since)} after the notification`);
          settle(m, at);
        }
      }
    };

    // Streams first: the mock refuses a subscription to a stream it does not know (§8.4).
    const streams = new Map<string, Subscription['stream']>();
    for (const c of this.#connections.values()) {
      const st = c.subscription?.stream;
      if (st !== undefined && c.index !== undefined && !streams.has(st.name)) streams.set(st.name, st);
    }
    const streamHistory = new Map<number, RecordedFrame[]>();
    for (const [name, st] of streams) {
      // The events the upstream replayed become the stream's history (the mock replays them and
      // sends its own markers); one replayed to several subscribers is one event.
      const history: (RecordedFrame & { n: Notification })[] = [];
      this.#events.forEach((e, event) => {
        if (e.kind !== 'history' || e.stream !== name || options.forceRaw?.has(event) === true) return;
        if (!history.some((h) => equalBytes(h.bytes, e.bytes))) {
          history.push({ event, conn: e.conn, bytes: e.bytes, profile: this.#profileOf(this.#conn(e.conn), options.profile), n: e.notification });
        }
      });
      const historyDocs = history.map(({ n }) => (n.type === 'stream-event' && n.event === 1 ? { time: plain(n.event_time), values: plain(n.values) } : {}));
      steps.push({
        stream: {
          name,
          ...(st?.startTime === undefined ? {} : { 'replay-from': st.startTime as never }),
          ...(historyDocs.length === 0 ? {} : { history: redactValue(historyDocs, rules) as never }),
        },
      });
      streamHistory.set(steps.length - 1, history.map(({ n: _, ...frame }) => frame));
      comment(
        `a subscriber asked for stream ${name}${st?.startTime === undefined ? '' : ' with replay'}: ${history.length} replayed events are its history; ` +
          'live events follow as emit-raw to their subscriber; the mock sends its own replay markers',
      );
    }

    // In time order (stable: a subscription is dated back to when it was sent, see onServerFrame).
    const timeline = [...this.#events.entries()].sort(([, a], [, b]) => a.at - b.at);
    for (const [event, e] of timeline) {
      const c = this.#conn(e.conn);
      switch (e.kind) {
        case 'subscribed': {
          open.add(e.conn);
          const mask = knownBits(c.subscription?.mask ?? 0);
          const masks = [...open].map((id) => knownBits(this.#conn(id).subscription?.mask ?? 0));
          const count = masks.filter((m) => (m & mask) === mask).length;
          // Every subscriber so far, whatever order they subscribe in on replay: the bits they
          // share, counted, and then this one's own mask.
          const shared = masks.reduce((a, m) => a & m, mask);
          last = e.at;
          if (count < masks.length) {
            steps.push({ 'await-subscribers': shared === 0 ? { count: masks.length } : { count: masks.length, mask: maskNames(shared) as never } });
          }
          steps.push({ 'await-subscribers': { count, mask: maskNames(mask) as never } });
          const s = c.subscription;
          const extra = s === undefined ? [] : [
            ...((s.mask & ~knownBits(s.mask)) !== 0 ? [`unknown mask bits ${s.mask & ~knownBits(s.mask)}`] : []),
            ...(s.heartbeatInterval > 0 && (s.mask & NOTIF.HEARTBEAT) !== 0 ? [`heartbeat every ${formatDuration(s.heartbeatInterval)}`] : []),
            ...(s.healthCheckInterval > 0 && (s.mask & NOTIF.HEALTH_CHECK) !== 0 ? [`health check every ${formatDuration(s.healthCheckInterval)}`] : []),
            ...(s.stream === undefined ? [] : [`stream ${s.stream.name}`]),
            ...(s.verbosity > 0 ? [`verbosity ${s.verbosity}`] : []),
          ];
          comment(
            `connection ${c.id} (${c.transport} ${c.remote}${c.header === undefined ? '' : `, ${libraryOf(c.header)}`}) subscribed with mask ${s?.mask ?? 0}` +
              `${extra.length === 0 ? '' : ` (${extra.join(', ')})`}, ${formatDuration(e.at - c.openedAt)} after connecting`,
          );
          break;
        }
        case 'frame': {
          const n = e.notification;
          const bit = notificationTypes[n.type].bit;
          const mask = c.subscription?.mask ?? 0;
          const profile = this.#profileOf(c, options.profile);
          const forcedRaw = options.forceRaw?.has(event) === true;
          const same = emissions.find(
            (m) =>
              !m.receivers.has(e.conn) && m.at >= (c.subscribedAt ?? 0) && (mask & m.bit) !== 0 && (m.raw || !forcedRaw) && sameBroadcast(m, e.bytes, profile),
          );
          const rawStep = (why: string): void => {
            steps.push({ 'emit-raw': { hex: hex(e.bytes), to: { index: c.index ?? 0 } } });
            comment(why);
            totals.raw += 1;
          };
          const frame: RecordedFrame = { event, conn: e.conn, bytes: e.bytes, profile };
          let m = same;
          if (m === undefined) {
            gap(e.at);
            // Stream events go to a stream's subscribers only through the stream (§14): written as
            // sent, to the connection that got them, after the stream step that lets it subscribe.
            const lacking = n.type === 'stream-event' ? undefined : unavailableReason(n, profile);
            const writable = !forcedRaw && n.type !== 'stream-event' && lacking === undefined;
            if (writable) {
              steps.push({ emit: redactValue(plain(n), rules) as never });
              totals.emits += 1;
            } else {
              rawStep(
                n.type === 'stream-event'
                  ? `a stream event to connection ${c.id}, written as it was`
                  : lacking !== undefined
                    ? `a ${n.type} the mock would not send to connection ${c.id} (${lacking}): written as it was`
                    : `a ${n.type} the mock would not send byte for byte to connection ${c.id} (profile ${profile}): written as it was`,
              );
            }
            const ack = ackRequiredBy(n, 0x7fffffff);
            const expected = new Set([...open].filter((id) => ((this.#conn(id).subscription?.mask ?? 0) & bit) !== 0));
            const reach = new Set([...expected].filter((id) => unavailableReason(n, this.#profileOf(this.#conn(id), options.profile)) === undefined));
            m = {
              step: steps.length - 1,
              at: e.at,
              bytes: e.bytes,
              n,
              profile,
              bit,
              raw: !writable,
              frames: [],
              receivers: new Set(),
              reach,
              expected,
              owed: new Map(),
              settled: new Map(),
              ...(ack === undefined ? {} : { ack }),
              done: false,
            };
            if (writable) emitted.set(m.step, m.frames);
            emissions.push(m);
          } else if (m.raw) {
            // One broadcast, written as each recipient got it.
            gap(e.at);
            rawStep(`the same ${n.type} to connection ${c.id}, written as it was`);
          }
          if (!m.raw) m.frames.push(frame);
          m.receivers.add(e.conn);
          if (ackRequiredBy(n, mask) !== undefined) m.owed.set(e.conn, e.at);
          settle(m, e.at);
          break;
        }
        case 'history': {
          if (options.forceRaw?.has(event) !== true) break;
          gap(e.at);
          steps.push({ 'emit-raw': { hex: hex(e.bytes), to: { index: c.index ?? 0 } } });
          comment(`a replayed event of stream ${e.stream} to connection ${c.id} that the stream's history could not reproduce byte for byte: written as it was (after the mock's own replay-complete)`);
          totals.raw += 1;
          break;
        }
        case 'raw': {
          gap(e.at);
          steps.push({ 'emit-raw': { hex: hex(e.bytes), to: { index: c.index ?? 0 } as SubscriberSelector } });
          comment(`to connection ${c.id}: ${e.why}`);
          totals.raw += 1;
          break;
        }
        case 'ack': {
          const key = ackKeyString(e.ack);
          const m = emissions.find((x) => x.ack !== undefined && ackKeyString(x.ack) === key && x.owed.has(e.conn) && !x.settled.has(e.conn));
          if (m === undefined) {
            c.notes.push(`sent ${formatAck(e.ack)} at ${formatDuration(e.at - this.startedAt)}, which nothing recorded asked for (the mock reports it as a violation)`);
            break;
          }
          m.settled.set(e.conn, `acked after ${formatDuration(e.at - (m.owed.get(e.conn) ?? e.at))}`);
          settle(m, e.at);
          break;
        }
        case 'upstream-closed': {
          open.delete(e.conn);
          gap(e.at);
          steps.push({ fault: { kind: 'close', target: { index: c.index ?? 0 } } });
          comment(`the upstream closed connection ${c.id} (${e.reason})`);
          giveUp(e.conn, e.at, 'the upstream closed the connection');
          break;
        }
        case 'client-closed':
          // The replay should not end before the moment the recorded client left.
          open.delete(e.conn);
          gap(e.at);
          giveUp(e.conn, e.at, 'the client closed the connection');
          break;
      }
    }
    for (const id of open) giveUp(id, options.endedAt, 'the recording ended');
    // Whatever still waits for a subscriber that never got it (the upstream skipped it).
    for (const m of emissions) settle(m, options.endedAt, true);
    // An emit the replay would also send to a subscriber that did not get it (the upstream
    // skipped it, or sent it a layout this notification does not encode to): raw for each recipient.
    const overreaching = new Set<number>();
    for (const m of emissions) {
      if (!m.raw && [...m.reach].some((id) => !m.receivers.has(id))) for (const f of m.frames) overreaching.add(f.event);
    }

    return {
      document: {
        name: options.name,
        ...(options.profile === undefined ? {} : { profile: options.profile }),
        steps,
      },
      header: this.#header(options, rules),
      stepComments: new Map([...comments].map(([i, text]) => [i, redactValue(text, rules) as string])),
      emitted,
      streamHistory,
      overreaching,
      totals: { ...totals, connections: this.#connections.size },
    };
  }

  #header(options: BuildOptions, rules: readonly RedactRule[]): string[] {
    const lines = [
      `Recorded by nso-mock record ${this.context.recorder} from ${this.context.upstream}`,
      `from ${new Date(this.startedAt).toISOString()} to ${new Date(options.endedAt).toISOString()} (${formatDuration(options.endedAt - this.startedAt)})`,
      `access check: upstream ${this.context.upstreamAccess}; clients ${this.context.clientAccess}`,
    ];
    const replies = [...new Set([...this.#connections.values()].flatMap((c) => (c.versionReply === undefined ? [] : [formatVersionReply(c.versionReply)])))];
    if (replies.length === 0) lines.push('upstream version reply: none received');
    for (const r of replies) lines.push(`upstream version reply: ${r}`);
    lines.push(
      options.profile === undefined
        ? 'profile: auto (none written): on replay each connection gets the profile of its client\'s protocol version, as each was checked here'
        : `profile: ${options.profile}, forced on every connection on replay (--profile)`,
    );
    if (options.maxGapMs !== undefined) lines.push(`waits longer than ${formatDuration(options.maxGapMs)} are shortened to it (--max-gap)`);
    if (rules.length > 0) lines.push(`redacted: ${rules.length} rule${rules.length === 1 ? '' : 's'} applied to the notifications' text and these comments (emit-raw bytes are as received)`);
    lines.push('connections:');
    for (const c of this.#connections.values()) {
      const type = c.header?.clientType;
      let what: string;
      if (c.header === undefined) what = 'sent no connect header';
      else if (type !== 11) what = `client type ${type} (${clientTypeName(type ?? -1)}): forwarded untouched, ${c.bytesUp} bytes up, ${c.bytesDown} bytes down; not in the steps`;
      else {
        const parts = [`event client (${libraryOf(c.header)}${options.profile === undefined ? ` → profile ${this.#profileOf(c, undefined)}` : ''})`];
        if (c.subscription !== undefined) parts.push(`mask ${c.subscription.mask} (${maskNames(c.subscription.mask).join(', ') || 'nothing'})`);
        if (c.index !== undefined) parts.push(`subscriber index ${c.index}`);
        parts.push(`${c.notifications} notifications`, `${c.acks} acks`);
        if (c.raw > 0) parts.push(`${c.raw} raw frames`);
        if (c.periodic > 0) parts.push(`${c.periodic} heartbeats/health checks (not written: the mock sends them from the subscription's interval)`);
        if (c.streamMarkers > 0) parts.push(`${c.streamMarkers} stream markers (not written: the mock sends its own)`);
        what = parts.join(', ');
      }
      const closed =
        c.closedAt === undefined ? 'still open when the recording ended' : `closed by the ${c.closedBy ?? 'client'} after ${formatDuration(c.closedAt - c.openedAt)} (${c.closeReason ?? ''})`;
      lines.push(`  ${c.id}: ${c.transport} ${c.remote}: ${what}; ${closed}`);
      for (const n of c.notes) lines.push(`     ${n}`);
    }
    for (const n of this.#notes) lines.push(n);
    return lines.map((l) => redactValue(l, rules) as string);
  }
}

/**
 * Checks what the mock will send for each `emit` of a built recording: the step as the scenario
 * loader compiled it, normalised and encoded like the server does (latin-1 atoms, the profile each
 * recipient's connection gets on replay), must be the exact bytes that connection got from the
 * upstream. Returns the event numbers that must be written as `emit-raw`: every frame of an emit
 * one of whose recipients would get other bytes, and the emits the replay would also send to a
 * subscriber that did not get them ({@link BuiltRecording.overreaching}).
 * @example
 *   const differ = checkEmits(built, compiledSteps); // rebuild with forceRaw: differ
 */
export function checkEmits(
  built: BuiltRecording,
  compiled: readonly { readonly kind: string; readonly notification?: unknown; readonly history?: readonly { readonly time?: unknown; readonly values: unknown }[] }[],
): Set<number> {
  const differ = new Set<number>(built.overreaching);
  for (const [index, events] of built.streamHistory) {
    const history = compiled[index]?.history ?? [];
    events.forEach(({ event, bytes, profile }, i) => {
      const h = history[i];
      try {
        if (h === undefined) throw new Error('missing');
        // As the server replays it: the friendly event with its time (steps/stream, streams.ts).
        const n = normalizeNotification({ type: 'stream-event', event_time: h.time, values: h.values } as never, { now: () => 0 });
        if (!equalBytes(encodeFrame(notificationToTerm(n, profile), { atomEncoding: 'latin1' }), bytes)) differ.add(event);
      } catch {
        differ.add(event);
      }
    });
  }
  for (const [index, frames] of built.emitted) {
    const step = compiled[index];
    const exact = frames.every(({ bytes, profile }) => {
      try {
        if (step?.kind !== 'emit') return false;
        const n = normalizeNotification(step.notification as Notification, { now: () => 0 });
        if (unavailableReason(n, profile) !== undefined) return false;
        return equalBytes(encodeFrame(notificationToTerm(n, profile), { atomEncoding: 'latin1' }), bytes);
      } catch {
        return false;
      }
    });
    if (!exact) for (const { event } of frames) differ.add(event);
  }
  return differ;
}
