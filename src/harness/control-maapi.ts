/**
 * The control API's MAAPI routes (docs/control-api.md): `GET /maapi/calls`, the MAAPI calls per
 * connection — what a consumer did with a commit-diff's transaction (attach, diff-iterate with its
 * answers, reads, detach). A file of its own, registered by control-server.ts, so the MAAPI part
 * stays apart from the general endpoints.
 */
import type { FastifyInstance } from 'fastify';
import type { MaapiCall, MaapiServer } from '../maapi/index.js';

/** One connection's calls, oldest first. */
interface ConnectionCalls {
  readonly connectionId: number;
  readonly calls: readonly Omit<MaapiCall, 'connectionId'>[];
}

/**
 * Groups calls by connection, in the order the connections made their first call.
 * @example groupMaapiCalls(maapi.calls()) // [{ connectionId: 3, calls: [{ name: 'attach', th: 17, ok: true, … }] }]
 */
export function groupMaapiCalls(calls: readonly MaapiCall[]): ConnectionCalls[] {
  const by = new Map<number, Omit<MaapiCall, 'connectionId'>[]>();
  for (const { connectionId, ...call } of calls) {
    let list = by.get(connectionId);
    if (list === undefined) by.set(connectionId, (list = []));
    list.push(call);
  }
  return [...by].map(([connectionId, list]) => ({ connectionId, calls: list }));
}

/**
 * Registers `GET /maapi/calls?connection=&th=` on the control API: `{ served, connections: [{
 * connectionId, calls: [{ time, op, name, th?, ok, code?, detail? }] }] }`; `served: false` (and no
 * connections) when the mock does not serve MAAPI.
 */
export function registerMaapiRoutes(app: FastifyInstance, maapi: () => MaapiServer | undefined): void {
  app.get<{ Querystring: { connection?: number; th?: number } }>(
    '/maapi/calls',
    { schema: { querystring: { type: 'object', properties: { connection: { type: 'integer' }, th: { type: 'integer' } }, additionalProperties: false } } },
    async (req, reply) => {
      const server = maapi();
      const calls = (server?.calls(req.query.connection) ?? []).filter((c) => req.query.th === undefined || c.th === req.query.th);
      return reply.type('application/json').send(JSON.stringify({ served: server !== undefined, connections: groupMaapiCalls(calls) }));
    },
  );
}
