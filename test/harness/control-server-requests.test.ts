/**
 * The control API's request handling over real HTTP: unknown members and wrong types are refused
 * (never dropped or coerced), bodies that are not JSON are client errors (400/415, not 500), every
 * error has one shape, and the bearer scheme is case-insensitive (RFC 7235 §2.1).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROL_DURATION_PATTERN, startControlServer, type ControlServer } from '../../src/harness/control-server.js';
import { DURATION_PATTERN } from '../../src/scenarios/index.js';
import { startNsoMock, type RunningNsoMock } from '../../src/harness/index.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

interface Answer {
  readonly status: number;
  readonly json: any;
}

async function setup(token?: string): Promise<{ mock: RunningNsoMock; control: ControlServer; send: (path: string, init?: RequestInit) => Promise<Answer> }> {
  const mock = await startNsoMock({ ackTimeoutMs: 2000, onUnexpectedFrame: 'ignore' });
  cleanup.push(() => mock.close());
  const control = await startControlServer(mock, token === undefined ? {} : { token });
  cleanup.push(() => control.close());
  const send = async (path: string, init: RequestInit = {}): Promise<Answer> => {
    const res = await fetch(`${control.url}${path}`, init);
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
  };
  return { mock, control, send };
}

/** POSTs `body` (a string, sent as is) with the JSON content type. */
function postJson(body: string): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body };
}

/** Every error body has exactly these members (docs/control-api.md "Errors"). */
function expectErrorShape(json: any, code: string): void {
  expect(Object.keys(json).sort()).toEqual(['details', 'error', 'message']);
  expect(json.error).toBe(code);
  expect(json.message).toMatch(/^Failed to /);
  expect(typeof json.details).toBe('object');
}

describe('control API request validation', () => {
  it('refuses an unknown member instead of dropping it, and names it', async () => {
    const { send } = await setup();
    const reset = await send('/reset', postJson('{"disconect":true}'));
    expect(reset.status).toBe(400);
    expectErrorShape(reset.json, 'NSOMOCK_USAGE');
    expect(reset.json.message).toContain('"disconect"');
    expect(reset.json.details).toMatchObject({ part: 'body', member: 'disconect' });
    // A body that is valid but for one extra member: only the extra member can make it fail.
    const emit = await send('/emit', postJson('{"notification":{"type":"audit","msg":"x"},"bogus":1}'));
    expect(emit.status).toBe(400);
    expect(emit.json.details).toMatchObject({ member: 'bogus' });
  });

  it('refuses a wrong type instead of coercing it, and names the member', async () => {
    const { send } = await setup();
    for (const body of ['{"hung":1}', '{"hung":"true"}']) {
      const res = await send('/heartbeats', postJson(body));
      expect(res.status, body).toBe(400);
      expectErrorShape(res.json, 'NSOMOCK_USAGE');
      expect(res.json.message).toContain('hung');
      expect(res.json.details).toMatchObject({ part: 'body', member: 'hung' });
    }
    const wait = await send('/wait-for-subscribers', postJson('{"count":3,"within":"50"}'));
    expect(wait.status).toBe(400);
    expect(wait.json.details).toMatchObject({ member: 'within' });
  });

  it('takes within as integer ms or as the duration strings of the scenario format', async () => {
    const { send } = await setup();
    expect(CONTROL_DURATION_PATTERN).toBe(DURATION_PATTERN);
    const short = await send('/wait-for-subscribers', postJson('{"count":3,"within":"50ms"}'));
    expect(short.status).toBe(504);
    expect(short.json.details).toMatchObject({ waitedMs: 50 });
    const minutes = await send('/wait-for-ack', postJson('{"th":3,"within":"0.05s"}'));
    expect(minutes.json.details).toMatchObject({ waitedMs: 50 });
    const tooLong = await send('/wait-for-subscribers', postJson('{"within":"1000h"}'));
    expect(tooLong.status).toBe(400);
    expect(tooLong.json).toMatchObject({ error: 'NSOMOCK_USAGE', details: { option: 'within', value: '1000h' } });
    for (const bad of ['"5 s"', '"5"', '-1', '1.5']) {
      const res = await send('/wait-for-subscribers', postJson(`{"within":${bad}}`));
      expect(res.status, bad).toBe(400);
      expect(res.json.details, bad).toMatchObject({ member: 'within' });
    }
  });

  it('reads query strings as numbers but refuses unknown or non-numeric parameters', async () => {
    const { send } = await setup();
    expect((await send('/journal?limit=2')).status).toBe(200);
    const typo = await send('/journal?limt=2');
    expect(typo.status).toBe(400);
    expectErrorShape(typo.json, 'NSOMOCK_USAGE');
    expect(typo.json.details).toMatchObject({ part: 'querystring', member: 'limt' });
    const word = await send('/journal?limit=two');
    expect(word.status).toBe(400);
    expect(word.json.details).toMatchObject({ part: 'querystring', member: 'limit' });
  });

  it('answers 400 for malformed JSON and for a JSON null body', async () => {
    const { send } = await setup();
    const broken = await send('/emit', postJson('{"notification":'));
    expect(broken.status).toBe(400);
    expectErrorShape(broken.json, 'NSOMOCK_USAGE');
    expect(broken.json.message).toContain('not valid JSON');
    const nul = await send('/emit', postJson('null'));
    expect(nul.status).toBe(400);
    expectErrorShape(nul.json, 'NSOMOCK_USAGE');
  });

  it('takes an empty body with the JSON content type as no members: fine where every member is optional, 400 naming the required one elsewhere', async () => {
    const { send } = await setup();
    expect((await send('/assert-no-pending-acks', postJson(''))).status).toBe(204);
    expect((await send('/reset', postJson(''))).status).toBe(204);
    expect((await send('/reset', { method: 'POST' })).status).toBe(204);
    const emit = await send('/emit', postJson(''));
    expect(emit.status).toBe(400);
    expectErrorShape(emit.json, 'NSOMOCK_USAGE');
    expect(emit.json.message).toContain('notification');
  });

  it('answers 415 for a body that is not JSON', async () => {
    const { send } = await setup();
    const form = await send('/emit', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'notification=x' });
    expect(form.status).toBe(415);
    expectErrorShape(form.json, 'NSOMOCK_USAGE');
    expect(form.json.details).toMatchObject({ contentType: 'application/x-www-form-urlencoded' });
    const text = await send('/emit', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"notification":{"type":"audit"}}' });
    expect(text.status).toBe(415);
  });

  it('answers 404 in the same shape as every other error', async () => {
    const { send } = await setup();
    const res = await send('/nope');
    expect(res.status).toBe(404);
    expectErrorShape(res.json, 'NSOMOCK_USAGE');
    expect(res.json.details).toEqual({ method: 'GET', url: '/nope' });
  });
});

describe('control API bearer token', () => {
  it('matches the scheme case-insensitively (RFC 7235 §2.1)', async () => {
    const { send } = await setup('s3cret');
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      expect((await send('/subscribers', { headers: { authorization: `${scheme} s3cret` } })).status, scheme).toBe(200);
    }
    expect((await send('/subscribers', { headers: { authorization: 'Basic s3cret' } })).status).toBe(401);
  });

  it('tells a missing token from a wrong one, in the one error shape', async () => {
    const { send } = await setup('s3cret');
    const missing = await send('/subscribers');
    const wrong = await send('/subscribers', { headers: { authorization: 'Bearer nope' } });
    for (const res of [missing, wrong]) {
      expect(res.status).toBe(401);
      expectErrorShape(res.json, 'unauthorized');
    }
    expect(missing.json.message).toContain('required');
    expect(wrong.json.message).toContain('does not match');
  });
});
