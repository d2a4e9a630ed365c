/**
 * The HTTP control API (`nso-mock serve --control-port N`): JSON endpoints so that tests written
 * in any language can drive a running mock — emit, play a scenario, list subscribers, read the
 * journal and the violations, wait for an ack, reset, readiness. Loopback only, optional bearer
 * token. Built on fastify, which is imported lazily: `serve` without a control port never loads
 * it (startup budget, bench/startup.bench.ts). Routes are validated with JSON Schema (fastify's Ajv).
 * docs/control-api.md lists every endpoint.
 */
import { timingSafeEqual } from 'node:crypto';
import { formatAck, formatTerm, NsoMockError, UsageError, type NotificationInput } from '../codec/index.js';
import { formatViolation, type JournalEntry, type SubscriberInfo } from '../server/index.js';
import { HarnessError } from './errors.js';
import { formatPendingAcks } from './pending-table.js';
import type { MockServer } from '../server/index.js';
import { wrapMockServer, type RunningNsoMock } from './start-nso-mock.js';

/** Options of {@link startControlServer}. */
export interface ControlServerOptions {
  /** TCP port (default 0: a free one). */
  readonly port?: number;
  /** Loopback address to bind: `127.0.0.1` (default), `::1` or `localhost`. Anything else is refused. */
  readonly host?: string;
  /** Require `Authorization: Bearer <token>` on every endpoint but `GET /ready`. */
  readonly token?: string;
  /** Longest `within` a wait endpoint accepts, ms (default 300000). */
  readonly maxWaitMs?: number;
}

/** A running control server. */
export interface ControlServer {
  readonly host: string;
  readonly port: number;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** JSON for values that may hold bigints and byte arrays (64-bit values, C_BINARY values). */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
    return v;
  });
}

function subscriberView(s: SubscriberInfo): Record<string, unknown> {
  return {
    id: s.id,
    transport: s.transport,
    remoteAddress: s.remoteAddress ?? null,
    connectedAt: s.connectedAt,
    phase: s.phase,
    profile: s.profile,
    mask: s.subscription.mask,
    heartbeatInterval: s.subscription.heartbeatInterval,
    healthCheckInterval: s.subscription.healthCheckInterval,
    verbosity: s.subscription.verbosity,
    stream: s.stream ?? null,
    delivered: s.delivered,
    pendingAcks: s.pendingAcks.map((p) => ({ ack: formatAck(p.expected), since: p.since, deadline: p.deadline ?? null })),
    header: s.header === undefined ? null : { clientType: s.header.clientType, protocolVersion: s.header.protocolVersion, libraryVersion: s.header.libraryVersion },
  };
}

function journalView(e: JournalEntry): Record<string, unknown> {
  return {
    seq: e.seq,
    time: e.time,
    connectionId: e.connectionId,
    direction: e.direction,
    kind: e.kind,
    ...(e.term === undefined ? {} : { term: formatTerm(e.term) }),
    ...(e.raw === undefined ? {} : { raw: Buffer.from(e.raw).toString('hex') }),
    ...(e.note === undefined ? {} : { note: e.note }),
  };
}

/** The HTTP status of an error a route threw, and its JSON body. */
function errorReply(error: unknown): { status: number; body: Record<string, unknown> } {
  if (error instanceof HarnessError) {
    const status = error.code === 'NSOMOCK_HARNESS_TIMEOUT' ? 504 : 409;
    return { status, body: { error: error.code, message: error.message, details: error.details } };
  }
  if (error instanceof NsoMockError) {
    const status = error.code.startsWith('NSOMOCK_CODEC') || error.code.startsWith('NSOMOCK_SCENARIO') || error.code === 'NSOMOCK_USAGE' ? 400 : 500;
    return { status, body: { error: error.code, message: error.message, details: error.details } };
  }
  return { status: 500, body: { error: 'internal', message: error instanceof Error ? error.message : String(error) } };
}

const within = { type: 'integer', minimum: 0 } as const;
const ackMatch = {
  kind: { type: 'string', enum: ['diff-done', 'audit-synced', 'audit-network-synced', 'ha-synced'] },
  th: { type: 'integer' },
  usid: { type: 'integer' },
  connectionId: { type: 'integer' },
} as const;

/**
 * Starts the control API for a running mock (or a bare, listening server).
 * @throws UsageError `NSOMOCK_USAGE` for a non-loopback host or a bad port; the listen error otherwise.
 * @example
 *   const control = await startControlServer(mock, { port: 0, token: 's3cret' });
 *   await fetch(`${control.url}/emit`, { method: 'POST', headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json' },
 *     body: JSON.stringify({ notification: { type: 'commit-diff', th: 17 } }) });
 */
export async function startControlServer(target: RunningNsoMock | MockServer, options: ControlServerOptions = {}): Promise<ControlServer> {
  // A bare server (the CLI's serve) gets the harness with the 'ignore' policy: serve logs violations itself.
  const mock = 'harness' in target ? target : wrapMockServer(target, { onUnexpectedFrame: 'ignore' });
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) {
    throw new UsageError('NSOMOCK_USAGE', `Failed to start the control API: ${host} is not a loopback address (use 127.0.0.1, ::1 or localhost)`, {
      details: { option: 'control-host', value: host },
    });
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError('NSOMOCK_USAGE', `Failed to start the control API: --control-port must be 0..65535, got ${port}`, { details: { option: 'control-port', value: port } });
  }
  const maxWait = options.maxWaitMs ?? 300_000;
  const token = options.token === undefined || options.token === '' ? undefined : Buffer.from(options.token);
  const { default: fastify } = await import('fastify');
  const app = fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
  const harness = mock.harness;

  app.addHook('onRequest', async (request, reply) => {
    if (token === undefined || (request.method === 'GET' && request.url === '/ready')) return;
    const header = request.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    if (given.length !== token.length || !timingSafeEqual(given, token)) {
      await reply.code(401).header('www-authenticate', 'Bearer realm="nso-mock"').send({ error: 'unauthorized', message: 'Failed to authorize: a bearer token is required' });
    }
  });
  app.setErrorHandler(async (error, _request, reply) => {
    // Schema validation failures come from fastify with a `validation` member.
    if ((error as { validation?: unknown }).validation !== undefined) {
      return reply.code(400).send({ error: 'NSOMOCK_USAGE', message: `Failed to read the request: ${(error as Error).message}` });
    }
    const { status, body } = errorReply(error);
    return reply.code(status).type('application/json').send(toJson(body));
  });
  const json = (value: unknown): string => toJson(value);
  const clampWait = (ms: number | undefined, fallback: number): number => Math.min(ms ?? fallback, maxWait);

  app.get('/ready', async () => ({ ready: true, tcp: mock.addresses.tcp ?? null, unix: mock.addresses.unix ?? null, subscribers: harness.subscribers.length }));

  app.get('/subscribers', async (_req, reply) => reply.type('application/json').send(json(harness.subscribers.map(subscriberView))));

  app.get<{ Querystring: { connection?: number; limit?: number } }>(
    '/journal',
    { schema: { querystring: { type: 'object', properties: { connection: { type: 'integer' }, limit: { type: 'integer', minimum: 1 } }, additionalProperties: false } } },
    async (req, reply) => {
      const entries = harness.journal(req.query.connection);
      const limit = req.query.limit ?? entries.length;
      return reply.type('application/json').send(json(entries.slice(-limit).map(journalView)));
    },
  );

  app.get('/violations', async (_req, reply) =>
    reply.type('application/json').send(json(harness.violations.map((v) => ({ ...v, text: formatViolation(v) })))),
  );

  app.get('/acks', async (_req, reply) =>
    reply.type('application/json').send(json(harness.acks.map((a) => ({ seq: a.seq, connectionId: a.connectionId, ack: formatAck(a.ack), result: a.result, time: a.time })))),
  );

  app.get('/pending-acks', async (_req, reply) => {
    const rows = harness.pendingAckRows();
    return reply.type('application/json').send(
      json({ pending: rows.map((r) => ({ connectionId: r.connectionId, peer: r.peer ?? null, ack: formatAck(r.expected), since: r.since, deadline: r.deadline ?? null })), table: formatPendingAcks(rows, mock.clock.now()) }),
    );
  });

  app.post('/assert-no-pending-acks', async (_req, reply) => {
    harness.assertNoPendingAcks();
    return reply.code(204).send();
  });

  app.post<{ Body: { notification: NotificationInput; wait?: boolean; within?: number; stream?: string; verbosity?: 0 | 1 | 2 | 3 } }>(
    '/emit',
    {
      schema: {
        body: {
          type: 'object',
          required: ['notification'],
          properties: {
            notification: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } },
            wait: { type: 'boolean' },
            within,
            stream: { type: 'string' },
            verbosity: { type: 'integer', minimum: 0, maximum: 3 },
          },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const { notification, wait, stream, verbosity } = req.body;
      const result = await harness.emit(notification, {
        within: clampWait(req.body.within, harness.ackTimeoutMs),
        noWait: wait === false,
        ...(stream === undefined ? {} : { stream }),
        ...(verbosity === undefined ? {} : { verbosity }),
      });
      return reply.type('application/json').send(
        json({
          id: result.delivery.id,
          type: result.delivery.notification.type,
          recipients: result.recipients,
          queued: result.delivery.queued,
          acked: result.outcome === undefined ? null : { ok: result.outcome.ok, expected: result.outcome.expected === undefined ? null : formatAck(result.outcome.expected), acked: result.outcome.acked, missing: result.outcome.missing },
        }),
      );
    },
  );

  app.post<{ Body: { scenario: unknown; seed?: number } }>(
    '/play',
    { schema: { body: { type: 'object', required: ['scenario'], properties: { scenario: { type: ['object', 'string'] }, seed: { type: 'integer' } }, additionalProperties: false } } },
    async (req, reply) => {
      let scenario = req.body.scenario;
      if (typeof scenario === 'string') {
        const { parseScenario } = await import('../scenarios/index.js');
        scenario = await parseScenario(scenario, { file: 'control-api' });
      }
      const report = await mock.play(scenario as never, req.body.seed === undefined ? {} : { seed: req.body.seed });
      return reply.type('application/json').send(json(report));
    },
  );

  app.post<{ Body: { kind?: 'diff-done' | 'audit-synced' | 'audit-network-synced' | 'ha-synced'; th?: number; usid?: number; connectionId?: number; within?: number; afterSeq?: number } }>(
    '/wait-for-ack',
    { schema: { body: { type: 'object', properties: { ...ackMatch, within, afterSeq: { type: 'integer' } }, additionalProperties: false } } },
    async (req, reply) => {
      const { within: ms, afterSeq, ...match } = req.body;
      const ack = await harness.waitForAck(match, { within: clampWait(ms, harness.ackTimeoutMs), ...(afterSeq === undefined ? {} : { afterSeq }) });
      return reply.type('application/json').send(json({ seq: ack.seq, connectionId: ack.connectionId, ack: formatAck(ack.ack), result: ack.result, time: ack.time }));
    },
  );

  app.post<{ Body: { count?: number; mask?: number; within?: number } }>(
    '/wait-for-subscribers',
    { schema: { body: { type: 'object', properties: { count: { type: 'integer', minimum: 1 }, mask: { type: 'integer', minimum: 0 }, within }, additionalProperties: false } } },
    async (req, reply) => {
      const subs = await harness.waitForSubscribers(req.body.count ?? 1, { within: clampWait(req.body.within, 10_000), ...(req.body.mask === undefined ? {} : { mask: req.body.mask }) });
      return reply.type('application/json').send(json(subs.map(subscriberView)));
    },
  );

  app.post<{ Body: { disconnect?: boolean } }>(
    '/reset',
    { schema: { body: { type: ['object', 'null'], properties: { disconnect: { type: 'boolean' } }, additionalProperties: false } } },
    async (req, reply) => {
      harness.reset({ disconnect: req.body?.disconnect === true });
      return reply.code(204).send();
    },
  );

  app.post<{ Body: { hung: boolean } }>(
    '/heartbeats',
    { schema: { body: { type: 'object', required: ['hung'], properties: { hung: { type: 'boolean' } }, additionalProperties: false } } },
    async (req, reply) => {
      mock.server.hang(req.body.hung);
      return reply.code(204).send();
    },
  );

  // An empty POST body (no content-type) is allowed for the action endpoints.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => done(null, body === '' ? {} : body));

  await app.listen({ host, port });
  const detach = mock === target ? undefined : (): void => mock.harness.detach();
  const address = app.server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  const urlHost = host === '::1' ? '[::1]' : host;
  return {
    host,
    port: bound,
    url: `http://${urlHost}:${bound}`,
    close: async () => {
      await app.close();
      detach?.();
    },
  };
}
