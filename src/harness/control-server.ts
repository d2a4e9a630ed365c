/**
 * The HTTP control API (`nso-mock serve --control-port N`): JSON endpoints so that tests written
 * in any language can drive a running mock — emit, play a scenario, list subscribers, read the
 * journal and the violations, wait for an ack, reset, readiness. Loopback only, optional bearer
 * token. Built on fastify, which is imported lazily: `serve` without a control port never loads
 * it (startup budget, bench/startup.bench.ts). Routes are validated with JSON Schema, by Ajv
 * instances of our own rather than fastify's: its defaults strip unknown members and coerce types
 * (`removeAdditional`, `coerceTypes`), so a typo like `{"disconect":true}` would be silently
 * ignored. docs/control-api.md lists every endpoint.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { formatAck, formatTerm, NOTIF, notificationTypes, NsoMockError, PROFILE_NAMES, UsageError, type NotificationInput, type ProfileSetting } from '../codec/index.js';
import { formatViolation, type JournalEntry, type SubscriberInfo } from '../server/index.js';
import { HarnessError } from './errors.js';
import { formatPendingAcks } from './pending-table.js';
import type { MockServer } from '../server/index.js';
import { wrapMockServer, type RunningNsoMock } from './start-nso-mock.js';
import type { MaapiWiring } from '../maapi/index.js';
import { registerMaapiRoutes } from './control-maapi.js';
import { registerToxicRoutes } from './control-toxics.js';

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
  /**
   * The directory that the includes of a scenario posted to `/play` must stay inside (symbolic
   * links resolved); default: the process's working directory. A request must not be able to
   * read, and quote in an error, any file the server can read.
   */
  readonly root?: string;
  /**
   * The MAAPI server of a bare `MockServer` target (the CLI's serve): `GET /maapi/calls` lists its
   * calls and posted scenarios declare their transactions to it. A `RunningNsoMock` brings its own.
   */
  readonly maapi?: MaapiWiring;
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
    profileChoice: s.profileChoice,
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
    ...(e.preview === undefined ? {} : { preview: e.preview }),
    ...(e.size === undefined ? {} : { size: e.size }),
    ...(e.raw === undefined ? {} : { raw: Buffer.from(e.raw).toString('hex') }),
    ...(e.note === undefined ? {} : { note: e.note }),
  };
}

/** The one shape of every error answer (docs/control-api.md "Errors"). */
interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly details: unknown;
}

/** Where a request went wrong before a route ran: the status and the error body. */
interface RequestFailure {
  readonly status: number;
  readonly body: ErrorBody;
}

function usage(status: number, message: string, details: Record<string, unknown>): RequestFailure {
  return { status, body: { error: 'NSOMOCK_USAGE', message: `Failed to read the request: ${message}`, details } };
}

/** The segments of an Ajv instance path (a JSON pointer), plus the member an error names. */
function memberPath(instancePath: string, extra?: string): string[] {
  const segments = instancePath === '' ? [] : instancePath.slice(1).split('/').map((x) => x.replaceAll('~1', '/').replaceAll('~0', '~'));
  return extra === undefined ? segments : [...segments, extra];
}

/** `notification.type`, `mask[0]`: a member path as the request's JSON reads it. */
function dotted(path: readonly string[]): string {
  return path.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * A schema failure as one readable sentence naming the member. Ajv stops at the first error
 * (`allErrors: false`), except inside an `anyOf`, whose branch errors come before the anyOf's own.
 */
function validationFailure(errors: readonly ErrorObject[], part: string): RequestFailure {
  const anyOf = errors.find((e) => e.keyword === 'anyOf');
  const first = anyOf ?? errors[0];
  if (first === undefined) return usage(400, `the ${part} does not match the endpoint's schema`, { part });
  const params = first.params as Record<string, unknown>;
  let path: string[];
  let what: string;
  if (first.keyword === 'additionalProperties') {
    path = memberPath(first.instancePath, String(params['additionalProperty']));
    what = `has an unknown member "${dotted(path)}"`;
  } else if (first.keyword === 'required') {
    path = memberPath(first.instancePath, String(params['missingProperty']));
    what = `misses the required member "${dotted(path)}"`;
  } else if (anyOf !== undefined) {
    path = memberPath(first.instancePath);
    const branches = errors.filter((e) => e !== anyOf && e.instancePath === anyOf.instancePath && e.keyword === 'type').map((e) => String((e.params as { type?: unknown }).type));
    what = `${path.length === 0 ? 'must be' : `member "${dotted(path)}" must be`} ${branches.length > 0 ? branches.join(' or ') : 'of another form'}`;
    // A value of the right type that a branch refused for another reason: say that reason.
    const inner = errors.find((e) => e !== anyOf && e.keyword !== 'type');
    if (inner !== undefined) return validationFailure([inner], part);
  } else {
    path = memberPath(first.instancePath);
    const allowed = Array.isArray(params['allowedValues']) ? `must be one of ${params['allowedValues'].map(String).join(', ')}` : undefined;
    what = `${path.length === 0 ? '' : `member "${dotted(path)}" `}${allowed ?? first.message ?? 'is invalid'}`;
  }
  return usage(400, `the ${part} ${what}`, { part, ...(path.length === 0 ? {} : { member: dotted(path) }), rule: first.keyword });
}

/** The answer to an error thrown by a route, a hook, a parser or the validator. */
function errorReply(error: unknown, request: { readonly headers: Record<string, unknown> }): RequestFailure {
  if (error instanceof HarnessError) {
    const status = error.code === 'NSOMOCK_HARNESS_TIMEOUT' ? 504 : 409;
    return { status, body: { error: error.code, message: error.message, details: error.details } };
  }
  if (error instanceof NsoMockError) {
    const status = error.code.startsWith('NSOMOCK_CODEC') || error.code.startsWith('NSOMOCK_SCENARIO') || error.code === 'NSOMOCK_USAGE' ? 400 : 500;
    return { status, body: { error: error.code, message: error.message, details: error.details ?? {} } };
  }
  const fastifyError = error as { validation?: readonly ErrorObject[]; validationContext?: string; statusCode?: unknown; code?: unknown; message?: unknown };
  if (fastifyError.validation !== undefined) return validationFailure(fastifyError.validation, fastifyError.validationContext ?? 'body');
  // fastify's own request errors (FST_ERR_CTP_*: media type, body size, content length) carry a
  // 4xx status: the request is at fault, not the server.
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = typeof fastifyError.code === 'string' ? fastifyError.code : undefined;
    if (status === 415) {
      return usage(415, `the body must be JSON (content-type: application/json), got ${String(request.headers['content-type'])}`, {
        contentType: request.headers['content-type'] ?? null,
      });
    }
    return usage(status, String(fastifyError.message ?? 'the request is malformed').replace(/^[A-Z]/, (c) => c.toLowerCase()), code === undefined ? {} : { reason: code });
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: 'internal', message: `Failed to handle the request: ${message}`, details: {} } };
}

/** The `mask` of `/wait-for-subscribers` as names: the scenario format's (PROTOCOL.md §10.1). */
const MASK_FLAGS: Readonly<Record<string, number>> = {
  'audit-sync': NOTIF.AUDIT_SYNC,
  'ha-info-sync': NOTIF.HA_INFO_SYNC,
  'audit-network-sync': NOTIF.AUDIT_NETWORK_SYNC,
  'takeover-syslog': NOTIF.TAKEOVER_SYSLOG,
};
const MASK_NAMES: readonly string[] = [...Object.keys(notificationTypes), ...Object.keys(MASK_FLAGS)];

function maskBitOf(name: string): number {
  const flag = MASK_FLAGS[name];
  if (flag !== undefined) return flag;
  return notificationTypes[name as keyof typeof notificationTypes].bit;
}

/**
 * Reads a file for a scenario include, refusing any path outside `root` (after resolving symbolic
 * links), so that a posted scenario cannot read, and quote, a file elsewhere. A path outside gets
 * the same answer whether or not it exists: where a file does not exist, its nearest existing
 * folder decides where the path leads, so "no such file" is only ever said inside the root
 * (otherwise the two answers told which files exist elsewhere).
 */
function confinedReader(root: string): (path: string) => Promise<string> {
  let realRoot: Promise<string> | undefined;
  return async (path) => {
    realRoot ??= realpath(root);
    const base = await realRoot;
    const outside = (real: string): boolean => {
      const rel = relative(base, real);
      return rel === '' || rel.startsWith('..') || isAbsolute(rel);
    };
    const refuse = (): never => {
      throw new Error(`outside the control root ${base} (includes of a scenario posted to /play must stay inside it; --control-root)`);
    };
    let target: string;
    try {
      target = await realpath(path);
    } catch (error) {
      let dir = dirname(resolve(path));
      for (;;) {
        const real = await realpath(dir).catch(() => undefined);
        if (real !== undefined) {
          if (outside(real) && real !== base) refuse();
          break;
        }
        const up = dirname(dir);
        if (up === dir) refuse();
        dir = up;
      }
      throw error;
    }
    if (outside(target)) refuse();
    return readFile(target, 'utf8');
  };
}

/**
 * A deadline: integer milliseconds, or a duration string as in a scenario (`"5s"`, `"250ms"`,
 * `"1m30s"`). The pattern is the scenario format's DURATION_PATTERN (a test keeps them equal); it
 * is repeated here so that the control API does not load the scenario layer to validate a body.
 */
export const CONTROL_DURATION_PATTERN = '^(?:[0-9]+(?:\\.[0-9]+)?(?:ms|s|m|h))+$';
const within = { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: CONTROL_DURATION_PATTERN }] } as const;

/** A `within` as given: ms, or a duration string. */
type WithinInput = number | string;
const ackMatch = {
  kind: { type: 'string', enum: ['diff-done', 'audit-synced', 'audit-network-synced', 'ha-synced'] },
  th: { type: 'integer' },
  usid: { type: 'integer' },
  connectionId: { type: 'integer' },
} as const;

/**
 * Starts the control API for a running mock (or a bare, listening server).
 * @throws UsageError `NSOMOCK_USAGE` for a non-loopback host, a bad port or a `root` that is not a
 *   directory; the listen error otherwise.
 * @example
 *   const control = await startControlServer(mock, { port: 0, token: 's3cret' });
 *   await fetch(`${control.url}/emit`, { method: 'POST', headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json' },
 *     body: JSON.stringify({ notification: { type: 'commit-diff', th: 17 } }) });
 */
export async function startControlServer(target: RunningNsoMock | MockServer, options: ControlServerOptions = {}): Promise<ControlServer> {
  // A bare server (the CLI's serve) gets the harness with the 'ignore' policy: serve logs violations itself.
  const mock = 'harness' in target ? target : wrapMockServer(target, { onUnexpectedFrame: 'ignore', ...(options.maapi === undefined ? {} : { maapi: options.maapi }) });
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
  const root = resolve(options.root ?? process.cwd());
  if (options.root !== undefined && !(await stat(root).then((st) => st.isDirectory(), () => false))) {
    throw new UsageError('NSOMOCK_USAGE', `Failed to start the control API: --control-root ${root} is not a directory`, { details: { option: 'control-root', value: options.root } });
  }
  const readInclude = confinedReader(root);
  const [{ default: fastify }, { Ajv }] = await Promise.all([import('fastify'), import('ajv')]);
  const app = fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
  const harness = mock.harness;

  // Bodies: exactly as sent (no coercion, no stripping, so unknown members are refused). Query
  // strings are text by nature, so numbers there are read as numbers, but unknown parameters are
  // refused too. `strict: true` makes a schema mistake (a union type, an unknown keyword) throw
  // when the route is compiled, in the tests, instead of a warning on stderr in every `serve`.
  const bodyAjv = new Ajv({ strict: true, allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: false });
  const queryAjv = new Ajv({ strict: true, allErrors: false, coerceTypes: true, removeAdditional: false, useDefaults: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'querystring' ? queryAjv : bodyAjv).compile(schema));

  app.addHook('onRequest', async (request, reply) => {
    if (token === undefined || (request.method === 'GET' && request.url === '/ready')) return;
    // RFC 7235 §2.1: the auth-scheme is case-insensitive; the token is compared in constant time.
    const match = /^(\S+)[ \t]+(.*)$/.exec(request.headers.authorization ?? '');
    const given = match !== null && match[1]?.toLowerCase() === 'bearer' ? Buffer.from(match[2] ?? '') : undefined;
    if (given !== undefined && given.length === token.length && timingSafeEqual(given, token)) return;
    const message = given === undefined ? 'Failed to authorize: a bearer token is required (authorization: Bearer <token>)' : 'Failed to authorize: the bearer token does not match the --control-token';
    await reply.code(401).header('www-authenticate', 'Bearer realm="nso-mock"').type('application/json').send(toJson({ error: 'unauthorized', message, details: {} }));
  });
  app.setErrorHandler(async (error, request, reply) => {
    const { status, body } = errorReply(error, request);
    return reply.code(status).type('application/json').send(toJson(body));
  });
  app.setNotFoundHandler(async (request, reply) =>
    reply
      .code(404)
      .type('application/json')
      .send(toJson({ error: 'NSOMOCK_USAGE', message: `Failed to route the request: no endpoint ${request.method} ${request.url.split('?')[0] ?? ''} (docs/control-api.md)`, details: { method: request.method, url: request.url } })),
  );

  // JSON bodies, parsed by fastify's own parser (it refuses __proto__ and constructor keys). An
  // empty body means "no members": many HTTP helpers send the JSON content type on every request,
  // bodiless POSTs included. Malformed JSON is the request's fault: 400, with the parser's reason.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    parseJson(req, text, (error, value) => {
      if (error === null) return done(null, value);
      let reason = error.message;
      try {
        JSON.parse(text);
      } catch (syntax) {
        reason = syntax instanceof Error ? syntax.message : reason;
      }
      done(Object.assign(new Error(`the body is not valid JSON (${reason})`), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }), undefined);
    });
  });
  // fetch() and friends label a body-less or string body text/plain: accept it empty; refuse
  // any other text (415), since only JSON is read.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => {
    if (body === '') return done(null, undefined);
    done(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }), undefined);
  });
  // No body at all is an object with no members (every member of /reset, /wait-* is optional).
  app.addHook('preValidation', async (request) => {
    if (request.method === 'POST' && request.body === undefined) request.body = {};
  });
  const json = (value: unknown): string => toJson(value);
  const clampWait = async (given: WithinInput | undefined, fallback: number): Promise<number> => {
    if (typeof given !== 'string') return Math.min(given ?? fallback, maxWait);
    const { parseDuration, MAX_DURATION_MS } = await import('../scenarios/index.js');
    const ms = parseDuration(given);
    if (ms === undefined) {
      throw new UsageError('NSOMOCK_USAGE', `Failed to read within: ${JSON.stringify(given)} is longer than a duration may be (${MAX_DURATION_MS} ms)`, {
        details: { option: 'within', value: given },
      });
    }
    return Math.min(ms, maxWait);
  };

  app.get('/ready', async () => ({ ready: true, tcp: mock.addresses.tcp ?? null, unix: mock.addresses.unix ?? null, subscribers: harness.subscribers.length }));

  registerMaapiRoutes(app, () => mock.maapi);

  app.get('/subscribers', async (_req, reply) => reply.type('application/json').send(json(harness.subscribers.map(subscriberView))));

  app.get<{ Querystring: { connection?: number; limit?: number } }>(
    '/journal',
    { schema: { querystring: { type: 'object', properties: { connection: { type: 'integer' }, limit: { type: 'integer', minimum: 1 } }, additionalProperties: false } } },
    async (req, reply) => {
      const entries = harness.journal(req.query.connection);
      const limit = req.query.limit ?? entries.length;
      const stats = harness.server.journal.stats();
      return reply
        .type('application/json')
        .header('x-journal-total', String(stats.total))
        .header('x-journal-dropped', String(stats.dropped))
        .send(json(entries.slice(-limit).map(journalView)));
    },
  );

  app.get('/journal/stats', async () => harness.server.journal.stats());

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

  app.post<{ Body: { notification: NotificationInput; wait?: boolean; within?: WithinInput; stream?: string; verbosity?: 0 | 1 | 2 | 3 } }>(
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
        within: await clampWait(req.body.within, harness.ackTimeoutMs),
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
    { schema: { body: { type: 'object', required: ['scenario'], properties: { scenario: { anyOf: [{ type: 'object' }, { type: 'string' }] }, seed: { type: 'integer' } }, additionalProperties: false } } },
    async (req, reply) => {
      let scenario = req.body.scenario;
      // Depth and size first: the loader recurses, and a 5,000-deep body overflowed its stack.
      // (The loader checks every file and document too; this names the body `control-api`.)
      const { checkScenarioBody, scenarioError } = await import('../scenarios/index.js');
      const tooMuch = checkScenarioBody(scenario, 'control-api');
      if (tooMuch !== undefined) throw scenarioError('control-api', [tooMuch], 'NSOMOCK_SCENARIO_INVALID');
      // Includes resolve against, and must stay inside, the control root.
      const load = { readFile: readInclude, displayRoot: root };
      if (typeof scenario === 'string') {
        const { parseScenario } = await import('../scenarios/index.js');
        scenario = await parseScenario(scenario, { ...load, file: 'control-api' });
      }
      const report = await mock.play(scenario as never, { load, ...(req.body.seed === undefined ? {} : { seed: req.body.seed }) });
      return reply.type('application/json').send(json(report));
    },
  );

  app.post<{ Body: { kind?: 'diff-done' | 'audit-synced' | 'audit-network-synced' | 'ha-synced'; th?: number; usid?: number; connectionId?: number; within?: WithinInput; afterSeq?: number } }>(
    '/wait-for-ack',
    { schema: { body: { type: 'object', properties: { ...ackMatch, within, afterSeq: { type: 'integer' } }, additionalProperties: false } } },
    async (req, reply) => {
      const { within: ms, afterSeq, ...match } = req.body;
      const ack = await harness.waitForAck(match, { within: await clampWait(ms, harness.ackTimeoutMs), ...(afterSeq === undefined ? {} : { afterSeq }) });
      return reply.type('application/json').send(json({ seq: ack.seq, connectionId: ack.connectionId, ack: formatAck(ack.ack), result: ack.result, time: ack.time }));
    },
  );

  app.post<{ Body: { count?: number; mask?: number | readonly string[]; within?: WithinInput } }>(
    '/wait-for-subscribers',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            count: { type: 'integer', minimum: 1 },
            // The integer mask, or the names a scenario's await-subscribers takes.
            mask: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'array', items: { type: 'string', enum: MASK_NAMES } }] },
            within,
          },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const given = req.body.mask;
      const mask = given === undefined ? undefined : typeof given === 'number' ? given : given.reduce((m, name) => m | maskBitOf(name), 0);
      const subs = await harness.waitForSubscribers(req.body.count ?? 1, { within: await clampWait(req.body.within, 10_000), ...(mask === undefined ? {} : { mask }) });
      return reply.type('application/json').send(json(subs.map(subscriberView)));
    },
  );

  app.post<{ Body: { disconnect?: boolean } }>(
    '/reset',
    { schema: { body: { type: 'object', properties: { disconnect: { type: 'boolean' } }, additionalProperties: false } } },
    async (req, reply) => {
      // The mock's reset: the harness's, and the toxics removed.
      mock.reset({ disconnect: req.body.disconnect === true });
      return reply.code(204).send();
    },
  );

  app.post<{ Body: { profile: string } }>(
    '/profile',
    { schema: { body: { type: 'object', required: ['profile'], properties: { profile: { type: 'string', enum: ['auto', ...PROFILE_NAMES] } }, additionalProperties: false } } },
    async (req, reply) => {
      // Forces (or with auto, stops forcing) the profile of connections made from now on.
      mock.server.setProfile(req.body.profile as ProfileSetting);
      return reply.send({ profile: mock.server.profileSetting });
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

  // Toxics and verification counts (control-toxics.ts).
  registerToxicRoutes(app, mock, json);

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
