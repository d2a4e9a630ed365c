/**
 * Each connection gets the layouts its client speaks (NSO62.md): with no profile option, the
 * client's protocol version picks the profile (77 → nso57, 82 → nso62), over real TCP and Unix
 * sockets, for clients on the same mock at the same time. What a connection's profile lacks is
 * not sent to it, and never silently: the delivery, the journal and a 'not-sent' event say why.
 */
import { describe, expect, it } from 'vitest';
import { decodeTerm, encodeTerm, layoutProblem, NOTIF, notificationFromTerm, notificationToTerm, type Notification } from '../../src/codec/index.js';
import { fromHex, loadNso62Layouts, toHex } from '../support/vectors.js';
import { useServerPerTest, waitFor } from './helpers.js';

const s = useServerPerTest();

const PROGRESS_MASK = NOTIF.PROGRESS | NOTIF.COMMIT_PROGRESS;
const layout62 = (name: string): string => loadNso62Layouts().find((v) => v.name === name)?.etf_hex ?? '';
const fromVector = (name: string): Notification => notificationFromTerm(decodeTerm(fromHex(layout62(name))), 'nso62');

describe('the profile of each connection, from its connect header', () => {
  for (const [a, b] of [['tcp', 'unix'], ['unix', 'tcp']] as const) {
    it(`a 77-client (${a}) and an 82-client (${b}) at once get 5.7 and 6.2 layouts, with no option set`, async () => {
      const c57 = await s.client({ mask: PROGRESS_MASK | NOTIF.AUDIT_NETWORK | NOTIF.REOPEN_LOGS, profile: 'nso57' }, a);
      const c62 = await s.client({ mask: PROGRESS_MASK | NOTIF.AUDIT_NETWORK | NOTIF.REOPEN_LOGS, profile: 'nso62' }, b);
      const subs = s.server.subscribers();
      expect(subs.map((x) => [x.header?.protocolVersion, x.profile, x.profileChoice.basis])).toEqual([
        [77, 'nso57', 'known'],
        [82, 'nso62', 'known'],
      ]);
      // a progress event with the fields both layouts have goes to both, each in its own tuple
      const progress = s.server.emit({ type: 'commit-progress', event: 'start', timestamp: 1700000000123456, usid: 42, tid: 17, context: 'cli', trace_id: 'T', msg: 'run validation' });
      expect(progress.recipients).toEqual([1, 2]);
      const [r57] = await c57.take(1);
      const [r62] = await c62.take(1);
      const arity = (t: typeof r57): number => (t?.term.kind === 'tuple' && t.term.elements[1]?.kind === 'tuple' ? t.term.elements[1].elements.length : 0);
      expect([arity(r57), arity(r62)]).toEqual([19, 15]);
      expect(toHex(r62?.raw ?? new Uint8Array())).toBe(toHex(encodeTerm(notificationToTerm(progress.notification, 'nso62'))));
      // each client checks the layout as its real library would (NSO62.md §D): none complains
      expect([layoutProblem(r57!.term, 'nso57'), layoutProblem(r62!.term, 'nso62')]).toEqual([undefined, undefined]);

      // the 6.2.5 vector itself, byte-exact to the 82-client; the 77-client is not sent it, and told why
      const notSent = waitFor(s.server, 'not-sent');
      const audit = s.server.emit(fromVector('audit_network.minimal'));
      expect(audit.recipients).toEqual([2]);
      expect(audit.skipped).toEqual([{ connectionId: 1, reason: 'profile', message: expect.stringMatching(/^audit-network not sent to connection 1: its client speaks NSO 5\.7, protocol 77 \(profile nso57\)/) }]);
      const [event] = await notSent;
      expect(event).toMatchObject({ connectionId: 1, type: 'audit-network', reason: 'profile' });
      expect(s.server.journal.entries(1).filter((e) => e.kind === 'not-sent').map((e) => e.note)).toEqual([event.message]);
      expect(toHex((await c62.take(1))[0]?.raw ?? new Uint8Array())).toBe(layout62('audit_network.minimal'));

      s.server.emit({ type: 'reopen-logs' });
      expect((await c57.take(1)).map((r) => r.type)).toEqual(['reopen-logs']);
      expect((await c62.take(1)).map((r) => r.type)).toEqual(['reopen-logs']);
    });
  }

  it('a client newer than every known version gets nso62, and the choice says why', async () => {
    const subscribed = waitFor(s.server, 'subscribed');
    await s.client({ mask: NOTIF.AUDIT, profile: 'nso62', protocolVersion: 90 });
    const [info] = await subscribed;
    expect(info.profile).toBe('nso62');
    expect(info.profileChoice).toEqual({ basis: 'newer', note: expect.stringContaining('client protocol version 90 is newer than every known one (82, NSO 6.2)') });
  });

  it('--profile (the server option) forces every connection, whatever the header says', async () => {
    await s.restart({ profile: 'nso62' });
    await s.client({ mask: NOTIF.AUDIT, profile: 'nso57' });
    expect(s.server.subscribers().map((x) => [x.profile, x.profileChoice.basis])).toEqual([['nso62', 'forced']]);
    await s.restart({ profile: 'nso6x' });
    await s.client({ mask: NOTIF.AUDIT });
    expect(s.server.subscribers().map((x) => x.profile)).toEqual(['nso66']);
  });

  it('a 6.2 progress field with no 5.7 slot is not sent to the 77-client, the rest reach both', async () => {
    const c57 = await s.client({ mask: PROGRESS_MASK, profile: 'nso57' });
    const c62 = await s.client({ mask: PROGRESS_MASK, profile: 'nso62' }, 'unix');
    const d = s.server.emit(fromVector('progress.stop_all_fields'));
    expect(d.recipients).toEqual([2]);
    expect(d.skipped[0]?.message).toMatch(/progress field span_id has no slot in the NSO 5\.7 layout/);
    expect(toHex((await c62.take(1))[0]?.raw ?? new Uint8Array())).toBe(layout62('progress.stop_all_fields'));
    const d57 = s.server.emit({ type: 'progress', phase: 'validate', timestamp: 2 ** 40 });
    expect(d57.recipients).toEqual([1]);
    expect(d57.skipped[0]?.message).toMatch(/^progress not sent to connection 2: its client speaks NSO 6\.2, protocol 82 \(profile nso62\); progress field phase has no slot/);
    expect((await c57.take(1)).map((r) => r.type)).toEqual(['progress']);
  });

  it('the TypeScript client speaking 6.2 refuses a 5.7 progress tuple, as the real 6.2.5 library does', async () => {
    await s.restart({ profile: 'nso57' });
    const c62 = await s.client({ mask: PROGRESS_MASK, profile: 'nso62' });
    s.server.emit({ type: 'progress', timestamp: 2 ** 40 });
    await expect(c62.next()).rejects.toMatchObject({ code: 'NSOMOCK_CODEC_BAD_NOTIFICATION', message: expect.stringMatching(/progress is a 19-tuple; NSO 6\.2 reads a 15-tuple/) });
  });
});
