import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atom, binary, encodeFrame, int, termEqual, tuple } from '../../src/codec/index.js';
import { Journal, JOURNAL_PREVIEW_CHARS, JOURNAL_RAW_BYTES, JOURNAL_TERM_BYTES } from '../../src/server/journal.js';
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
    const raw = new Uint8Array(JOURNAL_RAW_BYTES + 1000).fill(7);
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
    expect(() => new Journal(-1)).toThrow(expect.objectContaining({ name: 'UsageError', code: 'NSOMOCK_USAGE' }));
    expect(() => new Journal(1.5)).toThrow(expect.objectContaining({ name: 'UsageError', code: 'NSOMOCK_USAGE' }));
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

describe('Journal bounded by bytes', () => {
  it('keeps a large received frame as its size and a preview, never its term', () => {
    const j = new Journal(10);
    const big = tuple(atom('ack'), binary(new Uint8Array(5_000_000).fill(65)));
    const frame = encodeFrame(big);
    j.add(1, 1, 'in', 'frame', big, undefined, undefined, frame.length - 4);
    const [e] = j.entries();
    expect(e?.term).toBeUndefined();
    expect(e?.size).toBe(frame.length - 4);
    expect(e?.preview?.length).toBeLessThanOrEqual(JOURNAL_PREVIEW_CHARS);
    expect(e?.preview?.startsWith('{ack,<<"AAAA')).toBe(true);
    expect(j.bytes).toBeLessThan(JOURNAL_RAW_BYTES + 4 * JOURNAL_PREVIEW_CHARS + 200);
  });

  it('charges a large sent frame its bytes, so it pushes older entries out of maxBytes', () => {
    const j = new Journal(10, { maxBytes: 6_000_000 });
    const frame = encodeFrame(tuple(atom('x'), binary(new Uint8Array(5_000_000))));
    j.addFrame(1, 1, 'out', frame);
    expect(j.bytes).toBeGreaterThan(5_000_000);
    expect(j.entries()[0]?.size).toBe(frame.length - 4);
    j.addFrame(2, 1, 'out', frame);
    expect(j.size).toBe(1);
    expect(j.dropped).toBe(1);
    expect(j.bytes).toBeLessThanOrEqual(6_000_000);
  });

  it('judges a term by what it holds in memory, not by its wire size (30 KB of empty tuples is ~840 KB of objects)', () => {
    const j = new Journal(10);
    const expansion = tuple(...Array.from({ length: 15_000 }, () => tuple()));
    j.add(1, 1, 'in', 'frame', expansion, undefined, undefined, 5 + 2 * 15_000);
    const [e] = j.entries();
    expect(e?.term).toBeUndefined();
    expect(e?.preview?.startsWith('{{},{},')).toBe(true);
    expect(j.bytes).toBeLessThan(4096);
    j.add(2, 1, 'in', 'frame', tuple(int(17), atom('done')), undefined, undefined, 12);
    expect(j.entries()[1]?.term).toEqual(tuple(int(17), atom('done')));
  });

  it('keeps the term of a frame up to JOURNAL_TERM_BYTES', () => {
    const j = new Journal(10);
    const t = tuple(atom('ack'), binary(new Uint8Array(JOURNAL_TERM_BYTES - 20)));
    j.addFrame(1, 1, 'out', encodeFrame(t));
    expect(termEqual(j.entries()[0]!.term!, t)).toBe(true);
    expect(j.entries()[0]?.preview).toBeUndefined();
  });

  it('drops the oldest entries to stay under maxBytes and counts them', () => {
    const j = new Journal(1000, { maxBytes: 20_000 });
    for (let i = 0; i < 100; i += 1) j.record({ time: i, connectionId: 1, direction: 'in', kind: 'bad-frame', raw: new Uint8Array(5000), note: 'x' });
    expect(j.bytes).toBeLessThanOrEqual(20_000);
    expect(j.size).toBeGreaterThan(0);
    expect(j.dropped).toBe(100 - j.size);
    expect(j.stats()).toMatchObject({ held: j.size, total: 100, dropped: 100 - j.size, maxBytes: 20_000, limit: 1000 });
    // The newest are the ones held, in order, with their sequence numbers.
    const seqs = j.entries().map((e) => e.seq);
    expect(seqs.at(-1)).toBe(99);
    expect(seqs).toEqual(Array.from({ length: j.size }, (_, k) => 100 - j.size + k));
  });

  it('an entry larger than maxBytes alone is dropped with everything older', () => {
    const j = new Journal(10, { maxBytes: 500 });
    j.record({ time: 0, connectionId: 1, direction: 'in', kind: 'header', raw: new Uint8Array(9) });
    j.record({ time: 1, connectionId: 1, direction: 'in', kind: 'bad-frame', raw: new Uint8Array(1000) });
    expect(j.size).toBe(0);
    expect(j.dropped).toBe(2);
    j.record({ time: 2, connectionId: 1, direction: 'in', kind: 'header', raw: new Uint8Array(9) });
    expect(j.entries().map((e) => e.seq)).toEqual([2]);
  });

  it('cuts long notes', () => {
    const j = new Journal(2);
    j.record({ time: 0, connectionId: 1, direction: 'in', kind: 'bad-frame', note: 'n'.repeat(100_000) });
    expect(j.entries()[0]?.note?.length).toBeLessThanOrEqual(1024);
  });

  describe('properties', () => {
    it('never holds more than maxBytes, and held + dropped = total', () => {
      fc.assert(
        fc.property(fc.nat(50), fc.integer({ min: 0, max: 50_000 }), fc.array(fc.nat(70_000), { maxLength: 60 }), (limit, maxBytes, sizes) => {
          const j = new Journal(limit, { maxBytes });
          for (const [i, size] of sizes.entries()) {
            if (i % 2 === 0) j.record({ time: i, connectionId: 1, direction: 'in', kind: 'bad-frame', raw: new Uint8Array(size), size });
            else j.addFrame(i, 1, 'out', encodeFrame(binary(new Uint8Array(size))));
          }
          expect(j.bytes).toBeLessThanOrEqual(maxBytes);
          if (limit > 0) expect(j.size + j.dropped).toBe(sizes.length);
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});
