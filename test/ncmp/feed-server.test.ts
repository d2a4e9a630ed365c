import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNcmpEngine, recordJsonLine, startNcmpFeed, type NcmpEngine, type NcmpFeed } from '../../src/ncmp/index.js';

const clock = { now: (): number => Date.UTC(2024, 4, 1) };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ engine: NcmpEngine; feed: NcmpFeed }> {
  const engine = createNcmpEngine({ clock, seed: 9, partitions: 3 });
  const feed = await startNcmpFeed({ store: engine.store });
  cleanups.push(() => feed.close());
  return { engine, feed };
}

function register(engine: NcmpEngine, from: number, count: number): void {
  for (let i = from; i < from + count; i++) engine.cmHandle({ cmHandleId: `ch-${i}`, trigger: 'register' });
}

/**
 * Reads a streaming response until `until` says stop, then aborts. Returns the text read. The
 * `onText` hook lets a test act (append records) once part of the stream has arrived.
 */
async function readStream(
  url: string,
  until: (text: string) => boolean,
  init: RequestInit = {},
  onText?: (text: string) => void,
  onOpen?: () => void,
): Promise<string> {
  const abort = new AbortController();
  const res = await fetch(url, { ...init, signal: abort.signal });
  expect(res.status).toBe(200);
  // The server subscribes before it sends the response head, so from here on nothing is missed.
  onOpen?.();
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  try {
    while (!until(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      onText?.(text);
    }
  } finally {
    abort.abort();
    await reader.cancel().catch(() => undefined);
  }
  return text;
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

interface SseEvent {
  id: string;
  event: string;
  data: string;
}
function sseEvents(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const field = (name: string): string => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? '';
      return { id: field('id'), event: field('event'), data: field('data') };
    });
}

describe('NCMP feed over HTTP', () => {
  it('lists topics with their partition and record counts', async () => {
    const { engine, feed } = await setup();
    register(engine, 0, 4);
    engine.asyncResponse({ format: 'legacy', topic: 'client-a' });
    const topics = await (await fetch(`${feed.url}/topics`)).json();
    expect(topics).toEqual([
      { topic: 'ncmp-events', partitions: 3, records: 4 },
      { topic: 'ncmp-async-m2m', partitions: 3, records: 1 },
      { topic: 'client-a', partitions: 3, records: 1 },
    ]);
    expect(feed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('streams NDJSON from any offset; each line is the record JSON view', async () => {
    const { engine, feed } = await setup();
    register(engine, 0, 6);
    const res = await fetch(`${feed.url}/topics/ncmp-events?follow=false`);
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const all = lines(await res.text());
    expect(all).toEqual(engine.records('ncmp-events').map(recordJsonLine));
    const tail = lines(await (await fetch(`${feed.url}/topics/ncmp-events?from=4&follow=false`)).text());
    expect(tail.map((l) => JSON.parse(l).offset)).toEqual([4, 5]);
    const beyond = await (await fetch(`${feed.url}/topics/ncmp-events?from=99&follow=false`)).text();
    expect(beyond).toBe('');
  });

  it('keeps the NDJSON stream open and delivers records appended later, in order', async () => {
    const { engine, feed } = await setup();
    register(engine, 0, 2);
    let appended = false;
    const text = await readStream(`${feed.url}/topics/ncmp-events`, (t) => lines(t).length >= 5, {}, (t) => {
      if (!appended && lines(t).length >= 2) {
        appended = true;
        register(engine, 2, 3); // live records, after the backlog was received
      }
    });
    expect(lines(text).map((l) => JSON.parse(l).offset)).toEqual([0, 1, 2, 3, 4]);
    expect(lines(text).map((l) => JSON.parse(l).key)).toEqual(['ch-0', 'ch-1', 'ch-2', 'ch-3', 'ch-4']);
  });

  it('serves a topic nobody has written yet and delivers its first record when it comes', async () => {
    const { engine, feed } = await setup();
    const text = await readStream(`${feed.url}/topics/client-late`, (t) => lines(t).length >= 1, {}, undefined, () => {
      engine.asyncResponse({ format: 'legacy', topic: 'client-late' });
    });
    expect(lines(text).map((l) => JSON.parse(l).topic)).toEqual(['client-late']);
  });


  it('serves server-sent events with id = offset and resumes after Last-Event-ID', async () => {
    const { engine, feed } = await setup();
    register(engine, 0, 5);
    const first = sseEvents(await readStream(`${feed.url}/topics/ncmp-events/sse`, (t) => sseEvents(t).length >= 5));
    expect(first.map((e) => e.id)).toEqual(['0', '1', '2', '3', '4']);
    expect(first.every((e) => e.event === 'record')).toBe(true);
    expect(JSON.parse(first[2]!.data)).toEqual(JSON.parse(recordJsonLine(engine.records('ncmp-events')[2]!)));
    // A reconnecting EventSource sends the last id it saw; the stream resumes right after it.
    register(engine, 5, 1);
    const resumed = sseEvents(await readStream(`${feed.url}/topics/ncmp-events/sse?from=0`, (t) => sseEvents(t).length >= 3, { headers: { 'Last-Event-ID': '2' } }));
    expect(resumed.map((e) => e.id)).toEqual(['3', '4', '5']);
    const fromQuery = sseEvents(await readStream(`${feed.url}/topics/ncmp-events/sse?from=4`, (t) => sseEvents(t).length >= 2));
    expect(fromQuery.map((e) => e.id)).toEqual(['4', '5']);
  });

  it('rejects a bad offset or topic name with 400 before streaming', async () => {
    const { feed } = await setup();
    expect((await fetch(`${feed.url}/topics/ncmp-events?from=-1`)).status).toBe(400);
    expect((await fetch(`${feed.url}/topics/ncmp-events/sse?from=abc`)).status).toBe(400);
    expect((await fetch(`${feed.url}/topics/bad%20name?follow=false`)).status).toBe(400);
  });

  it('rejects an unreadable Last-Event-ID with 400 like from=, instead of replaying from 0', async () => {
    const { engine, feed } = await setup();
    register(engine, 0, 3);
    for (const id of ['abc', '-5', '1e3', '12345678901234567890', '1.5', '0x10', '1, 2']) {
      const res = await fetch(`${feed.url}/topics/ncmp-events/sse`, { headers: { 'Last-Event-ID': id } });
      expect(res.status, id).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^Last-Event-ID must be a non-negative integer offset/);
      const query = await fetch(`${feed.url}/topics/ncmp-events/sse?from=${encodeURIComponent(id)}`);
      expect(query.status, `from=${id}`).toBe(400);
      await query.body?.cancel();
    }
    // An empty id is no id (the SSE spec's reset): the stream starts at from.
    const empty = sseEvents(await readStream(`${feed.url}/topics/ncmp-events/sse?from=1`, (t) => sseEvents(t).length >= 2, { headers: { 'Last-Event-ID': ' ' } }));
    expect(empty.map((e) => e.id)).toEqual(['1', '2']);
  });

  it('delivers a large backlog completely under back-pressure', async () => {
    const { engine, feed } = await setup();
    register(engine, 0, 3000);
    const got = lines(await (await fetch(`${feed.url}/topics/ncmp-events?follow=false`)).text());
    expect(got).toHaveLength(3000);
    expect(got.map((l) => JSON.parse(l).offset)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('tees every record of every topic to a file, existing ones first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ncmp-tee-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const engine = createNcmpEngine({ clock });
    register(engine, 0, 2);
    const file = join(dir, 'tee.ndjson');
    const feed = await startNcmpFeed({ store: engine.store, teeFile: file });
    engine.asyncResponse({ format: 'legacy', topic: 'client-a' });
    register(engine, 2, 1);
    await feed.close();
    const teed = lines(await readFile(file, 'utf8'));
    expect(teed).toEqual([...engine.records('ncmp-events').slice(0, 2), ...engine.records('ncmp-async-m2m'), ...engine.records('client-a'), engine.records('ncmp-events')[2]!].map(recordJsonLine));
  });

  it('ends open streams when the feed closes', async () => {
    const { engine, feed } = await setup();
    register(engine, 0, 1);
    const res = await fetch(`${feed.url}/topics/ncmp-events`);
    const reader = res.body!.getReader();
    await reader.read();
    await feed.close();
    let done = false;
    while (!done) done = (await reader.read().catch(() => ({ done: true }))).done;
    expect(done).toBe(true);
  });
});
