import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  atom,
  binary,
  computeAccessResponse,
  decodeVersionReply,
  encodeChallengeResponse,
  encodeConnectHeader,
  int,
  NOTIF,
  subscriptionToTerm,
  tuple,
  type Subscription,
  type Term,
} from '../../src/codec/index.js';
import { rawBytesWanted, step, type SessionConfig } from '../../src/server/session.js';
import { initialSessionState, type SessionEffect, type SessionInput, type SessionState } from '../../src/server/session-state.js';
import { fcRuns } from '../support/fc-config.js';

const SECRET = new TextEncoder().encode('s3cr3t-shared-secret\n');
const ENTROPY = Uint8Array.from({ length: 32 }, (_, i) => i);

function config(over: Partial<SessionConfig> = {}): SessionConfig {
  return {
    accessSecret: undefined,
    strict: false,
    initTimeoutMs: 5000,
    minHeartbeatIntervalMs: 1000,
    profile: 'nso57',
    profileForProtocolVersion: undefined,
    allowedProtocolVersions: undefined,
    handedOffClientTypes: new Set(),
    checkStream: (r) => (r.name === 'NETCONF' ? { ok: true } : { ok: false, code: 1, reason: `no such stream: ${r.name}` }),
    ...over,
  };
}

function header(flags = 0, clientType = 11, protocolVersion = 77): Uint8Array {
  return encodeConnectHeader({
    clientType,
    wantChallenge: (flags & 0x80) !== 0,
    wantChallengeV2: (flags & 0x40) !== 0,
    protocolVersion,
    libraryVersion: 0x07070100,
    maxDepth: 60,
    maxKeyLength: 18,
    rawFlags: flags,
  });
}

function run(inputs: SessionInput[], cfg = config(), start: SessionState = initialSessionState(1)): { state: SessionState; effects: SessionEffect[] } {
  let state = start;
  const effects: SessionEffect[] = [];
  for (const input of inputs) {
    const r = step(state, input, cfg);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

const kinds = (effects: readonly SessionEffect[]): string[] => effects.map((e) => (e.kind === 'violation' ? `violation:${e.code}` : e.kind === 'close' ? `close:${e.reason}:${e.mode}` : e.kind));
const sub = (s: Partial<Subscription> = {}): Term => subscriptionToTerm({ mask: NOTIF.COMMIT_DIFF, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0, ...s });
const subscribed = (s: Partial<Subscription> = {}, cfg = config()): SessionState => run([{ kind: 'header', bytes: header(), entropy: ENTROPY }, { kind: 'frame', term: sub(s) }], cfg).state;

describe('session reducer: handshake (§2–§4)', () => {
  it('arms the init timer on accept and wants 9 header bytes', () => {
    const { effects } = run([{ kind: 'accepted' }]);
    expect(effects).toEqual([{ kind: 'set-timer', timer: 'init', delayMs: 5000 }]);
    expect(rawBytesWanted(initialSessionState(1))).toBe(9);
  });

  it('echoes the client versions in one 9-byte reply (§4.3)', () => {
    const { state, effects } = run([{ kind: 'header', bytes: header(), entropy: ENTROPY }]);
    expect(state.phase).toBe('await-subscription');
    expect(state.profile).toBe('nso57');
    const write = effects[0];
    expect(write?.kind).toBe('write');
    if (write?.kind !== 'write') return;
    expect(write.bytes.length).toBe(9);
    expect(decodeVersionReply(write.bytes)).toEqual({ status: 0, protocolVersion: 77, libraryVersion: 0x07070100, maxDepth: 60, maxKeyLength: 18 });
    expect(rawBytesWanted(state)).toBeUndefined();
  });

  it('picks the profile from the protocol version with the configured callback first (§16)', () => {
    const cfg = config({ profile: undefined, profileForProtocolVersion: (v) => (v === 81 ? 'nso66' : undefined) });
    const at = (v: number): SessionState => run([{ kind: 'header', bytes: header(0, 11, v), entropy: ENTROPY }], cfg).state;
    expect([at(81).profile, at(81).profileChoice]).toEqual(['nso66', { basis: 'option' }]);
    // the callback's undefined falls back to the table
    expect([at(77).profile, at(77).profileChoice]).toEqual(['nso57', { basis: 'known' }]);
    expect([at(82).profile, at(82).profileChoice]).toEqual(['nso62', { basis: 'known' }]);
  });

  it('without a forced profile, the table: 77 nso57, 82 nso62, newer nso62 (noted), unknown lower nso57 (noted)', () => {
    const cfg = config({ profile: undefined });
    const at = (v: number): SessionState => run([{ kind: 'header', bytes: header(0, 11, v), entropy: ENTROPY }], cfg).state;
    expect(at(77)).toMatchObject({ profile: 'nso57', profileChoice: { basis: 'known' } });
    expect(at(82)).toMatchObject({ profile: 'nso62', profileChoice: { basis: 'known' } });
    expect(at(90)).toMatchObject({ profile: 'nso62', profileChoice: { basis: 'newer', note: expect.stringMatching(/protocol version 90 is newer than every known one \(82, NSO 6\.2\): using profile nso62/) } });
    expect(at(70)).toMatchObject({ profile: 'nso57', profileChoice: { basis: 'older', note: expect.stringMatching(/protocol version 70 is unknown \(known: 77, 82\): using profile nso57/) } });
    expect(at(80)).toMatchObject({ profile: 'nso57', profileChoice: { basis: 'older' } });
  });

  it('a forced profile wins over the protocol version and the callback', () => {
    const cfg = config({ profile: 'nso62', profileForProtocolVersion: () => 'nso66' });
    expect(run([{ kind: 'header', bytes: header(0, 11, 77), entropy: ENTROPY }], cfg).state).toMatchObject({ profile: 'nso62', profileChoice: { basis: 'forced' } });
  });

  it('closes other client types at once, without a reply or violation (§2, §17)', () => {
    for (const type of [7, 12, 3]) {
      const { state, effects } = run([{ kind: 'header-start', byte: type }]);
      expect(state.phase).toBe('closing');
      expect(kinds(effects)).toEqual(['clear-timer', 'clear-timer', 'clear-timer', 'close:client-type:destroy']);
      expect(state.closeDetail).toBe(`first byte 0x0${type.toString(16)} is client type ${type}, not 11 (§2)`);
    }
    // HTTP instead of a connect header: 'G' (0x47) reads as client type 7; the detail says which byte came.
    expect(run([{ kind: 'header-start', byte: 0x47 }]).state.closeDetail).toBe("first byte 0x47 'G' is client type 7, not 11 (§2)");
    expect(run([{ kind: 'header-start', byte: 0x8b }]).state.phase).toBe('await-header');
  });

  it('hands a client type with a handler over after the version reply (MAAPI.md §M1), others still close', () => {
    const cfg = config({ handedOffClientTypes: new Set([7]) });
    expect(run([{ kind: 'header-start', byte: 0x07 }], cfg).state.phase).toBe('await-header');
    expect(run([{ kind: 'header-start', byte: 0x0c }], cfg).state.phase).toBe('closing');
    const { state, effects } = run([{ kind: 'accepted' }, { kind: 'header', bytes: header(0, 7, 82), entropy: ENTROPY }], cfg);
    expect(state.phase).toBe('handed-off');
    expect(kinds(effects)).toEqual(['set-timer', 'write', 'clear-timer', 'hand-off']);
    // The init window no longer applies (§1.2 covers the event handshake only).
    expect(run([{ kind: 'timer', timer: 'init' }], cfg, state).effects).toEqual([]);
  });

  it('closes on header bit 6 without bit 7 (§17)', () => {
    const { effects } = run([{ kind: 'header', bytes: header(0x40), entropy: ENTROPY }]);
    expect(kinds(effects)).toContain('violation:bad-header');
    expect(kinds(effects).at(-1)).toBe('close:violation:destroy');
  });

  it('strict mode answers a version outside the allow-list with status 1 and closes (§4.3)', () => {
    const { effects } = run([{ kind: 'header', bytes: header(0, 11, 99), entropy: ENTROPY }], config({ strict: true, allowedProtocolVersions: [77] }));
    const write = effects.find((e) => e.kind === 'write');
    expect(write?.kind === 'write' && decodeVersionReply(write.bytes).status).toBe(1);
    expect(kinds(effects)).toContain('violation:bad-version');
    expect(kinds(effects).at(-1)).toBe('close:bad-version:end');
  });
});

describe('session reducer: access check (§3)', () => {
  for (const [version, flags, n] of [
    ['v1', 0x80, 16],
    ['v2', 0xc0, 32],
  ] as const) {
    it(`${version}: challenge of 1 + ${n} bytes, then 0x00 and the version reply for the right digest`, () => {
      const cfg = config({ accessSecret: SECRET });
      const first = run([{ kind: 'header', bytes: header(flags), entropy: ENTROPY }], cfg);
      expect(first.state.phase).toBe('await-challenge-response');
      const challenge = first.effects[0];
      expect(challenge?.kind === 'write' && Array.from(challenge.bytes)).toEqual([11, ...ENTROPY.slice(0, n)]);
      expect(rawBytesWanted(first.state)).toBe(1 + n);
      const response = encodeChallengeResponse(computeAccessResponse(SECRET, ENTROPY.slice(0, n), version));
      const second = run([{ kind: 'challenge-response', bytes: response }], cfg, first.state);
      expect(second.state.phase).toBe('await-subscription');
      expect(second.effects.map((e) => (e.kind === 'write' ? e.journal : e.kind))).toEqual(['access-result', 'version-reply']);
      expect(second.effects[0]?.kind === 'write' && Array.from(second.effects[0].bytes)).toEqual([0]);
    });

    it(`${version}: a wrong digest gets 0x01, a violation and a close`, () => {
      const cfg = config({ accessSecret: SECRET });
      const first = run([{ kind: 'header', bytes: header(flags), entropy: ENTROPY }], cfg);
      const wrong = encodeChallengeResponse(computeAccessResponse(new TextEncoder().encode('wrong'), ENTROPY.slice(0, n), version));
      const second = run([{ kind: 'challenge-response', bytes: wrong }], cfg, first.state);
      expect(second.effects[0]?.kind === 'write' && Array.from(second.effects[0].bytes)).toEqual([1]);
      expect(kinds(second.effects)).toContain('violation:access-denied');
      expect(second.state.phase).toBe('closing');
      expect(second.effects.some((e) => e.kind === 'write' && e.journal === 'version-reply')).toBe(false);
    });
  }

  it('closes silently when the check is on and the client asks for no challenge (§3.4)', () => {
    const { effects } = run([{ kind: 'header', bytes: header(0), entropy: ENTROPY }], config({ accessSecret: SECRET }));
    expect(effects.some((e) => e.kind === 'write')).toBe(false);
    expect(kinds(effects)).toContain('violation:access-denied');
  });

  it('lenient without a secret: runs the challenge and accepts any digest; strict closes (§3.4)', () => {
    const first = run([{ kind: 'header', bytes: header(0x80), entropy: ENTROPY }]);
    const second = run([{ kind: 'challenge-response', bytes: Uint8Array.of(12, ...new Uint8Array(16)) }], config(), first.state);
    expect(second.state.phase).toBe('await-subscription');
    const strict = run([{ kind: 'header', bytes: header(0x80), entropy: ENTROPY }], config({ strict: true }));
    expect(strict.state.phase).toBe('closing');
  });
});

describe('session reducer: subscription (§8)', () => {
  it('replies ok, registers, and arms clamped periodic timers (§13)', () => {
    const { state, effects } = run([
      { kind: 'header', bytes: header(), entropy: ENTROPY },
      { kind: 'frame', term: sub({ mask: NOTIF.HEARTBEAT | NOTIF.HEALTH_CHECK, heartbeatInterval: 10, healthCheckInterval: 20_000 }) },
    ]);
    expect(state.phase).toBe('subscribed');
    expect(state.heartbeatIntervalMs).toBe(1000);
    expect(state.healthCheckIntervalMs).toBe(20_000);
    expect(kinds(effects).slice(1)).toEqual(['clear-timer', 'send', 'subscribed', 'set-timer', 'set-timer']);
    expect(effects.find((e) => e.kind === 'send')).toEqual({ kind: 'send', term: atom('ok') });
  });

  it('refuses a malformed subscription with {error, 21, <<"bad subscription",0>>} and closes (§17)', () => {
    const { effects, state } = run([
      { kind: 'header', bytes: header(), entropy: ENTROPY },
      { kind: 'frame', term: tuple(atom('hello')) },
    ]);
    expect(effects.find((e) => e.kind === 'send')).toEqual({ kind: 'send', term: tuple(atom('error'), int(21), binary('bad subscription\0')) });
    expect(kinds(effects)).toContain('violation:bad-subscription');
    expect(state.closeReason).toBe('subscribe-refused');
  });

  it('refuses an unknown stream with the §8.4 error reply', () => {
    const stream = { name: 'nope', usid: 0, useIkp: false };
    const { effects } = run([
      { kind: 'header', bytes: header(), entropy: ENTROPY },
      { kind: 'frame', term: sub({ mask: NOTIF.STREAM_EVENT, stream }) },
    ]);
    expect(effects.find((e) => e.kind === 'send')).toEqual({ kind: 'send', term: tuple(atom('error'), int(1), binary('no such stream: nope\0')) });
    expect(kinds(effects)).toContain('violation:stream-refused');
  });

  it('strict mode records a zero heartbeat interval but keeps the connection (§17)', () => {
    const { state, effects } = run(
      [
        { kind: 'header', bytes: header(), entropy: ENTROPY },
        { kind: 'frame', term: sub({ mask: NOTIF.HEARTBEAT, heartbeatInterval: 0 }) },
      ],
      config({ strict: true }),
    );
    expect(kinds(effects)).toContain('violation:zero-interval');
    expect(state.phase).toBe('subscribed');
    expect(state.heartbeatIntervalMs).toBe(1000);
  });
});

describe('session reducer: after the subscription (§12, §13, §17)', () => {
  it('passes well-formed acks on and flags mask mismatches (§12.4)', () => {
    const state = subscribed({ mask: NOTIF.COMMIT_DIFF | NOTIF.AUDIT });
    expect(step(state, { kind: 'frame', term: tuple(int(17), atom('done')) }, config()).effects).toEqual([{ kind: 'ack', ack: { kind: 'diff-done', th: 17 } }]);
    expect(kinds(step(state, { kind: 'frame', term: tuple(int(42), atom('synced')) }, config()).effects)).toEqual(['violation:ack-without-flag']);
    expect(kinds(step(state, { kind: 'frame', term: atom('ha_synced') }, config()).effects)).toEqual(['violation:ack-unsubscribed']);
    const strict = step(state, { kind: 'frame', term: atom('ha_synced') }, config({ strict: true }));
    expect(strict.state.phase).toBe('closing');
  });

  it('bad ack shape: lenient ignores, strict closes; a second subscription closes', () => {
    const state = subscribed();
    const lenient = step(state, { kind: 'frame', term: atom('bogus') }, config());
    expect(kinds(lenient.effects)).toEqual(['violation:bad-ack']);
    expect(lenient.state.phase).toBe('subscribed');
    expect(step(state, { kind: 'frame', term: atom('bogus') }, config({ strict: true })).state.phase).toBe('closing');
    const second = step(state, { kind: 'frame', term: sub() }, config());
    expect(kinds(second.effects)).toContain('violation:second-subscription');
  });

  it('bad frames close only this session (§17)', () => {
    const { effects, state } = run([{ kind: 'bad-frame', code: 'bad-frame-length', detail: 'length 0' }], config(), subscribed());
    expect(kinds(effects)[0]).toBe('violation:bad-frame-length');
    expect(state.phase).toBe('closing');
  });

  it('init timer: header-timeout before the header, subscribe-timeout before the subscription (§1.2)', () => {
    expect(kinds(run([{ kind: 'timer', timer: 'init' }]).effects)).toContain('violation:header-timeout');
    const afterHeader = run([{ kind: 'header', bytes: header(), entropy: ENTROPY }, { kind: 'timer', timer: 'init' }]);
    expect(kinds(afterHeader.effects)).toContain('violation:subscribe-timeout');
    expect(run([{ kind: 'timer', timer: 'init' }], config(), subscribed()).effects).toEqual([]);
  });

  it('heartbeat timer sends and re-arms; hang pauses and resume re-arms (§13)', () => {
    const state = subscribed({ mask: NOTIF.HEARTBEAT, heartbeatInterval: 2000 });
    expect(step(state, { kind: 'timer', timer: 'heartbeat' }, config()).effects).toEqual([
      { kind: 'periodic', type: 'heartbeat' },
      { kind: 'set-timer', timer: 'heartbeat', delayMs: 2000 },
    ]);
    const hung = step(state, { kind: 'hang', hung: true }, config());
    expect(kinds(hung.effects)).toEqual(['clear-timer', 'clear-timer']);
    expect(step(hung.state, { kind: 'timer', timer: 'heartbeat' }, config()).effects).toEqual([]);
    expect(step(hung.state, { kind: 'hang', hung: false }, config()).effects).toEqual([{ kind: 'set-timer', timer: 'heartbeat', delayMs: 2000 }]);
  });

  it('closing: acks still count (late, §20); socket-closed releases (§12.3)', () => {
    const closing = step(subscribed(), { kind: 'close', reason: 'ack-timeout' }, config());
    expect(kinds(closing.effects).at(-1)).toBe('close:ack-timeout:end');
    expect(step(closing.state, { kind: 'frame', term: tuple(int(3), atom('done')) }, config()).effects).toEqual([{ kind: 'ack', ack: { kind: 'diff-done', th: 3 } }]);
    const closed = step(closing.state, { kind: 'socket-closed' }, config());
    expect(closed.state).toMatchObject({ phase: 'closed', closeReason: 'ack-timeout' });
    expect(kinds(closed.effects).at(-1)).toBe('release');
    expect(step(closed.state, { kind: 'frame', term: atom('x') }, config()).effects).toEqual([]);
  });

  it('output problems close with a violation (§20)', () => {
    const { effects } = run([{ kind: 'output-blocked', code: 'write-stall', detail: 'blocked 15000 ms' }], config(), subscribed());
    expect(kinds(effects)).toEqual(['violation:write-stall', 'clear-timer', 'clear-timer', 'clear-timer', 'close:write-stall:destroy']);
  });
});

describe('properties', () => {
  const input: fc.Arbitrary<SessionInput> = fc.oneof(
    fc.constant<SessionInput>({ kind: 'accepted' }),
    fc.integer({ min: 0, max: 255 }).map((byte): SessionInput => ({ kind: 'header-start', byte })),
    fc.constantFrom(0, 0x80, 0xc0, 0x40).map((f): SessionInput => ({ kind: 'header', bytes: header(f), entropy: ENTROPY })),
    fc.uint8Array({ maxLength: 40 }).map((bytes): SessionInput => ({ kind: 'challenge-response', bytes })),
    fc.constantFrom<Term>(sub(), sub({ mask: NOTIF.HEARTBEAT, heartbeatInterval: 5 }), tuple(int(1), atom('done')), atom('ha_synced'), atom('junk'), tuple(int(1), atom('synced'))).map(
      (term): SessionInput => ({ kind: 'frame', term }),
    ),
    fc.constantFrom<SessionInput>(
      { kind: 'bad-frame', code: 'bad-term', detail: 'x' },
      { kind: 'timer', timer: 'init' },
      { kind: 'timer', timer: 'heartbeat' },
      { kind: 'hang', hung: true },
      { kind: 'hang', hung: false },
      { kind: 'output-blocked', code: 'output-overflow', detail: 'x' },
      { kind: 'close', reason: 'server-closed' },
      { kind: 'socket-closed' },
    ),
  );

  it('never throws, never leaves closing/closed, closes at most once, releases exactly once', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(input, { maxLength: 30 }), (strict, secret, inputs) => {
        const cfg = config({ strict, accessSecret: secret ? SECRET : undefined });
        let state = initialSessionState(1);
        let closes = 0;
        let releases = 0;
        for (const i of inputs) {
          const before = state.phase;
          const r = step(state, i, cfg);
          state = r.state;
          closes += r.effects.filter((e) => e.kind === 'close' && e.mode === 'end').length;
          releases += r.effects.filter((e) => e.kind === 'release').length;
          if (before === 'closing') expect(['closing', 'closed']).toContain(state.phase);
          if (before === 'closed') expect(state.phase).toBe('closed');
          if (r.effects.some((e) => e.kind === 'subscribed')) expect(before).toBe('await-subscription');
        }
        expect(closes).toBeLessThanOrEqual(1);
        expect(releases).toBeLessThanOrEqual(1);
        expect(releases === 1).toBe(state.phase === 'closed');
      }),
      { numRuns: fcRuns() },
    );
  });
});
