/**
 * The embedded delivery path: HTTP on loopback, no broker needed. Every route is a view of the
 * {@link RecordStore}:
 *
 * - `GET /topics` — JSON list of `{ topic, partitions, records }`.
 * - `GET /topics/:topic?from=N&follow=true` — NDJSON, one {@link recordJsonLine} per line, starting
 *   at log offset N (default 0; late consumers see everything) and, unless `follow=false`, kept open
 *   for records appended later.
 * - `GET /topics/:topic/sse?from=N` — the same as server-sent events: `id:` is the offset, `event:
 *   record`, `data:` the JSON line. A reconnecting EventSource sends `Last-Event-ID`, and the stream
 *   resumes after that offset (the header wins over `from`). An unreadable one (`abc`, `-5`, `1e3`,
 *   beyond 2^53) is refused with 400 like a bad `from`, rather than replaying from 0 (duplicates);
 *   an empty one is no id (the SSE spec's reset).
 *
 * Streams respect back-pressure: backlog is written in chunks and the pump waits for `drain`.
 *
 * fastify is imported when a feed starts, not with this module: the NCMP index is loaded by the
 * scenario engine (its step checks), and fastify costs ~100 ms of startup a run without a feed
 * must not pay (docs/ncmp.md, "Startup cost").
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { NcmpError } from './errors.js';
import { recordJsonLine, TOPIC_NAME_PATTERN, type NcmpRecord, type RecordLog, type RecordStore } from './record.js';

/** Options of {@link startNcmpFeed}. */
export interface NcmpFeedOptions {
  readonly store: RecordStore;
  /** Loopback by default; the feed is a test fixture, not a service. */
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Also append every record of every topic, as NDJSON, to this file (truncated at start). */
  readonly teeFile?: string;
}

/** A running feed. */
export interface NcmpFeed {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Ends every open stream, stops the tee and closes the server. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const CHUNK_BYTES = 64 * 1024;

type Framer = (record: NcmpRecord) => string;

const ndjson: Framer = (r) => `${recordJsonLine(r)}\n`;
const sse: Framer = (r) => `id: ${r.offset}\nevent: record\ndata: ${recordJsonLine(r)}\n\n`;

/**
 * Streams `log` from `from` into `res`, then follows it when `follow`. Writes batch lines into
 * chunks of about 64 KiB and stop while the socket's buffer is full (`write()` returned false).
 */
function pump(log: RecordLog, from: number, res: ServerResponse, frame: Framer, follow: boolean, open: Set<ServerResponse>): void {
  let cursor = Math.max(0, from);
  let waitingForDrain = false;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    off();
    open.delete(res);
    if (!res.writableEnded) res.end();
  };
  const flush = (): void => {
    if (finished || waitingForDrain) return;
    while (cursor < log.length) {
      let chunk = '';
      while (cursor < log.length && chunk.length < CHUNK_BYTES) chunk += frame(log.get(cursor++) as NcmpRecord);
      if (!res.write(chunk)) {
        waitingForDrain = true;
        res.once('drain', () => {
          waitingForDrain = false;
          flush();
        });
        return;
      }
    }
    if (!follow) finish();
  };
  const off = follow ? log.onAppend(() => flush()) : (): boolean => true;
  open.add(res);
  res.on('close', finish);
  // Send the head now: a follower of an empty topic must see the stream open before any record.
  res.flushHeaders();
  flush();
}

function parseOffset(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Appends every record of `store` (existing ones first) to `path` as NDJSON.
 * @returns a function that stops following and closes the file.
 */
export function teeToFile(store: RecordStore, path: string): () => Promise<void> {
  const out: WriteStream = createWriteStream(path, { flags: 'w' });
  for (const record of store.all()) out.write(ndjson(record));
  const off = store.onRecord((record) => out.write(ndjson(record)));
  return async () => {
    off();
    out.end();
    await once(out, 'close');
  };
}

/**
 * Starts the HTTP feed on loopback.
 * @example
 *   await using feed = await startNcmpFeed({ store: engine.store });
 *   const res = await fetch(`${feed.url}/topics/ncmp-events?follow=false`);
 * @throws NcmpError `NSOMOCK_SERVER_LISTEN_FAILED` when the port cannot be bound.
 */
export async function startNcmpFeed(options: NcmpFeedOptions): Promise<NcmpFeed> {
  const { store } = options;
  const host = options.host ?? '127.0.0.1';
  const open = new Set<ServerResponse>();
  const { default: Fastify } = await import('fastify');
  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });

  app.get('/topics', async () => store.topics());

  app.get<{ Params: { topic: string }; Querystring: { from?: string; follow?: string } }>('/topics/:topic', (request, reply) => {
    if (!TOPIC_NAME_PATTERN.test(request.params.topic)) return reply.code(400).send({ error: 'not a legal Kafka topic name' });
    const from = request.query.from === undefined ? 0 : parseOffset(request.query.from);
    if (from === undefined) return reply.code(400).send({ error: 'from must be a non-negative integer offset' });
    const follow = request.query.follow !== 'false';
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
    pump(store.log(request.params.topic), from, reply.raw, ndjson, follow, open);
    return reply;
  });

  app.get<{ Params: { topic: string }; Querystring: { from?: string } }>('/topics/:topic/sse', (request, reply) => {
    if (!TOPIC_NAME_PATTERN.test(request.params.topic)) return reply.code(400).send({ error: 'not a legal Kafka topic name' });
    const lastEventId = request.headers['last-event-id'];
    const idText = typeof lastEventId === 'string' ? lastEventId.trim() : undefined;
    const resumeAfter = idText === undefined || idText === '' ? undefined : parseOffset(idText);
    if (idText !== undefined && idText !== '' && resumeAfter === undefined) {
      return reply.code(400).send({ error: 'Last-Event-ID must be a non-negative integer offset (the id of the last event received)' });
    }
    const fromQuery = request.query.from === undefined ? 0 : parseOffset(request.query.from);
    if (fromQuery === undefined) return reply.code(400).send({ error: 'from must be a non-negative integer offset' });
    const from = resumeAfter === undefined ? fromQuery : resumeAfter + 1;
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    pump(store.log(request.params.topic), from, reply.raw, sse, true, open);
    return reply;
  });

  const stopTee = options.teeFile === undefined ? undefined : teeToFile(store, options.teeFile);
  let address: string;
  try {
    address = await app.listen({ host, port: options.port ?? 0 });
  } catch (cause) {
    await stopTee?.();
    throw new NcmpError('NSOMOCK_SERVER_LISTEN_FAILED', `Failed to start the NCMP feed: ${(cause as Error).message} (${host}:${options.port ?? 0})`, {}, cause);
  }
  const port = Number(new URL(address).port);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const res of [...open]) res.end();
      await app.close();
      await stopTee?.();
    })();
    return closing;
  };
  return { url: `http://${host}:${port}`, port, close, [Symbol.asyncDispose]: close };
}
