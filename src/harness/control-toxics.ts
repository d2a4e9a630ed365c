/**
 * The control API's toxics and verification endpoints (docs/control-api.md "Toxics" and
 * "Verification"): `POST/GET/DELETE /toxics` over `mock.toxics`, and `GET /counts` over
 * `mock.count()`. Registered by control-server.ts on its fastify instance, with the same strict
 * Ajv validation (unknown members refused) and the same error answers.
 */
import type { FastifyInstance } from 'fastify';
import { NOTIFICATION_TYPES, UsageError, type NotificationType } from '../codec/index.js';
import type { RunningNsoMock } from './start-nso-mock.js';
import type { ToxicScope, ToxicSpec } from './toxics.js';

/** The body of `POST /toxics`, as the JSON schema below admits it. */
interface ToxicBody {
  readonly kind: ToxicSpec['kind'];
  readonly ms?: number;
  readonly bytes?: number;
  readonly hex?: string;
  readonly length?: number;
  readonly scope?: ToxicScope;
}

/** The members each kind takes (besides `kind` and `scope`), the first ones required. */
const MEMBERS: Readonly<Record<ToxicSpec['kind'], { readonly required: readonly string[]; readonly optional: readonly string[] }>> = {
  latency: { required: ['ms'], optional: [] },
  stall: { required: ['ms'], optional: [] },
  cut: { required: ['bytes'], optional: [] },
  garbage: { required: [], optional: ['hex', 'length'] },
};

const toxicBodySchema = {
  type: 'object',
  required: ['kind'],
  properties: {
    kind: { type: 'string', enum: Object.keys(MEMBERS) },
    ms: { type: 'integer', minimum: 0 },
    bytes: { type: 'integer', minimum: 0 },
    hex: { type: 'string', pattern: '^([0-9a-fA-F]{2})+$' },
    length: { type: 'integer', minimum: 1, maximum: 16 * 1024 * 1024 },
    scope: {
      anyOf: [
        { type: 'string', enum: ['all', 'existing', 'future'] },
        { type: 'object', required: ['connection'], properties: { connection: { type: 'integer', minimum: 0 } }, additionalProperties: false },
        { type: 'object', required: ['protocolVersion'], properties: { protocolVersion: { type: 'integer', minimum: 0 } }, additionalProperties: false },
      ],
    },
  },
  additionalProperties: false,
} as const;

function refuse(message: string, member: string, value?: unknown): never {
  throw new UsageError('NSOMOCK_USAGE', `Failed to read the request: the body ${message}`, { details: { option: member, value: value ?? null } });
}

/** The schema admits every member for every kind; which go together is checked here, with the member named. */
function toxicSpec(body: ToxicBody): ToxicSpec {
  const { kind, scope } = body;
  const { required, optional } = MEMBERS[kind];
  // A member of another kind first (`{kind: latency, bytes: 5}` is more likely a wrong kind than a missing ms).
  for (const member of ['ms', 'bytes', 'hex', 'length'] as const) {
    if (body[member] !== undefined && !required.includes(member) && !optional.includes(member)) {
      refuse(`member "${member}" does not go with kind ${kind} (it takes ${[...required, ...optional].join(', ')})`, member, body[member]);
    }
  }
  for (const member of required) if (body[member as keyof ToxicBody] === undefined) refuse(`misses the required member "${member}" (kind ${kind})`, member);
  const withScope = scope === undefined ? {} : { scope };
  switch (kind) {
    case 'latency':
    case 'stall':
      return { kind, ms: body.ms ?? 0, ...withScope };
    case 'cut':
      return { kind, bytes: body.bytes ?? 0, ...withScope };
    case 'garbage':
      if ((body.hex === undefined) === (body.length === undefined)) refuse('needs exactly one of the members "hex" and "length" (kind garbage)', 'hex');
      return body.hex === undefined ? { kind, length: body.length ?? 1, ...withScope } : { kind, bytes: new Uint8Array(Buffer.from(body.hex, 'hex')), ...withScope };
  }
}

/**
 * Adds the toxics and verification routes to a control server.
 * @example
 *   registerToxicRoutes(app, mock, toJson);
 */
export function registerToxicRoutes(app: FastifyInstance, mock: RunningNsoMock, json: (value: unknown) => string): void {
  const noToxic = (id: string): string =>
    json({ error: 'NSOMOCK_USAGE', message: `Failed to find the toxic: no toxic ${id} (GET /toxics lists them)`, details: { id } });

  app.post<{ Body: ToxicBody }>('/toxics', { schema: { body: toxicBodySchema } }, async (req, reply) =>
    reply.code(201).type('application/json').send(json(mock.toxics.add(toxicSpec(req.body)))),
  );

  app.get('/toxics', async (_req, reply) => reply.type('application/json').send(json(mock.toxics.list())));

  app.get<{ Params: { id: string } }>('/toxics/:id', async (req, reply) => {
    const toxic = mock.toxics.get(req.params.id);
    if (toxic === undefined) return reply.code(404).type('application/json').send(noToxic(req.params.id));
    return reply.type('application/json').send(json(toxic));
  });

  app.delete<{ Params: { id: string } }>('/toxics/:id', async (req, reply) => {
    if (!mock.toxics.remove(req.params.id)) return reply.code(404).type('application/json').send(noToxic(req.params.id));
    return reply.code(204).send();
  });

  app.delete('/toxics', async (_req, reply) => {
    mock.toxics.clear();
    return reply.code(204).send();
  });

  app.get<{ Querystring: { type?: NotificationType; connection?: number; since?: number } }>(
    '/counts',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { type: { type: 'string', enum: NOTIFICATION_TYPES }, connection: { type: 'integer', minimum: 0 }, since: { type: 'integer', minimum: 0 } },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const { type, connection, since } = req.query;
      const counts = mock.count({ ...(type === undefined ? {} : { type }), ...(connection === undefined ? {} : { connection }), ...(since === undefined ? {} : { since }) });
      return reply.type('application/json').send(json(counts));
    },
  );
}
