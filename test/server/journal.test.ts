import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atom, binary, encodeFrame, int, termEqual, tuple } from '../../src/codec/index.js';
import { Journal, JOURNAL_RAW_BYTES } from '../../src/server/journal.js';
import { fcRuns } from '../support/fc-config.js';

describe('Journal', () => {
  it('keeps the most recent entries, oldest first', () => {
    const j = new Journal(3);
    for (let i = 0; i < 5; i += 1) j.record({ time: i, connectionId: i % 2, direction: 'in', kind: 'frame', term: atom(`t${i}`) });
    expect(j.total).toBe(5);
    expect(j.size).toBe(3);
    expect(j.entries().map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(j.entries(1).map((e) => e.seq)).toEqual([3]);
  });

  it('caps and copies raw bytes', () => {
    const j = new Journal(2);
    const raw = new Uint8Array(1000).fill(7);
    j.record({ time: 0, connectionId: 1, direction: 'in', kind: 'bad-frame', raw });
    raw[0] = 9;
    const [e] = j.entries();
    expect(e?.raw?.length).toBe(JOURNAL_RAW_BYTES);
    expect(e?.raw?.[0]).toBe(7);
  });

  it('records nothing with a limit of 0', () => {
    const j = new Journal(0);
    j.record({ time: 0, connectionId: 1, direction: 'out', kind: 'frame' });
    expect(j.enabled).toBe(false);
    expect(j.entries()).toEqual([]);
    expect(j.total).toBe(0);
  });

  it('clear() keeps counting sequence numbers', () => {
    const j = new Journal(2);
    j.record({ time: 0, connectionId: 1, direction: 'out', kind: 'frame' });
    j.clear();
    j.record({ time: 1, connectionId: 1, direction: 'out', kind: 'frame' });
    expect(j.entries().map((e) => e.seq)).toEqual([1]);
  });

  it('keeps sent frames as bytes and decodes their term when read (once)', () => {
    const j = new Journal(3);
    const term = tuple(int(2), int(29), int(6), binary('NCS started'));
    j.addFrame(5, 1, 'out', encodeFrame(term));
    j.record({ time: 6, connectionId: 1, direction: 'in', kind: 'frame', term: atom('x') });
    const [sent, read] = j.entries();
    expect(sent).toMatchObject({ seq: 0, time: 5, connectionId: 1, direction: 'out', kind: 'frame' });
    expect(sent?.term !== undefined && termEqual(sent.term, term)).toBe(true);
    expect(j.entries()[0]?.term).toBe(sent?.term);
    expect(read?.term).toEqual(atom('x'));
    // A frame slot overwritten by a recorded entry does not keep the old frame's term.
    j.addFrame(7, 2, 'out', encodeFrame(atom('y')));
    j.record({ time: 8, connectionId: 2, direction: 'in', kind: 'bad-frame', raw: Uint8Array.of(1) });
    expect(j.entries().map((e) => e.term)).toEqual([atom('x'), atom('y'), undefined]);
  });

  it('refuses a bad limit', () => {
    expect(() => new Journal(-1)).toThrow(RangeError);
    expect(() => new Journal(1.5)).toThrow(RangeError);
  });

  describe('properties', () => {
    it('holds exactly the last min(limit, n) entries in order', () => {
      fc.assert(
        fc.property(fc.nat(20), fc.nat(60), (limit, n) => {
          const j = new Journal(limit);
          for (let i = 0; i < n; i += 1) j.record({ time: i, connectionId: 0, direction: 'in', kind: 'frame' });
          const kept = Math.min(limit, n);
          expect(j.entries().map((e) => e.time)).toEqual(Array.from({ length: kept }, (_, k) => n - kept + k));
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});
