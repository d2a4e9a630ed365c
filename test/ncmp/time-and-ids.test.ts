import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIdSource, deterministicUuid, formatCloudEventTime, formatEventTime, parseEventTime } from '../../src/ncmp/index.js';
import { fcRuns } from '../support/fc-config.js';

describe('event times', () => {
  it("formats yyyy-MM-dd'T'HH:mm:ss.SSSZ with a colon-less offset", () => {
    expect(formatEventTime(Date.UTC(2024, 4, 1, 12, 0, 0, 0))).toBe('2024-05-01T12:00:00.000+0000');
    expect(formatEventTime(Date.UTC(2024, 0, 2, 3, 4, 5, 67))).toBe('2024-01-02T03:04:05.067+0000');
    expect(formatEventTime(Date.UTC(2024, 0, 1, 0, 30), -90)).toBe('2023-12-31T23:00:00.000-0130');
    expect(formatEventTime(Date.UTC(2024, 0, 1), 330)).toBe('2024-01-01T05:30:00.000+0530');
  });

  it('formats ce_time as ISO_OFFSET_DATE_TIME: minimal fraction, Z for UTC', () => {
    expect(formatCloudEventTime(Date.UTC(2024, 4, 1, 12))).toBe('2024-05-01T12:00:00Z');
    expect(formatCloudEventTime(Date.UTC(2024, 4, 1, 12, 0, 0, 120))).toBe('2024-05-01T12:00:00.12Z');
    expect(formatCloudEventTime(Date.UTC(2024, 4, 1, 12, 0, 0, 7))).toBe('2024-05-01T12:00:00.007Z');
    expect(formatCloudEventTime(Date.UTC(2024, 4, 1, 12), 120)).toBe('2024-05-01T14:00:00+02:00');
  });

  it('rejects times that have no yyyy form with NSOMOCK_USAGE', () => {
    expect(() => formatEventTime(Number.NaN)).toThrow(expect.objectContaining({ code: 'NSOMOCK_USAGE' }));
    expect(() => formatEventTime(Date.UTC(10000, 0, 1))).toThrow(expect.objectContaining({ code: 'NSOMOCK_USAGE' }));
    expect(() => formatEventTime(0, 24 * 60)).toThrow(expect.objectContaining({ code: 'NSOMOCK_USAGE' }));
  });

  describe('properties', () => {
    it('parseEventTime inverts formatEventTime for every instant and offset', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: Date.UTC(9998, 0, 1) }), fc.integer({ min: -1439, max: 1439 }), (ms, offset) => {
          const text = formatEventTime(ms, offset);
          expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/);
          expect(parseEventTime(text)).toBe(ms);
          expect(Date.parse(formatCloudEventTime(ms, offset))).toBe(ms);
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});

describe('deterministic ids', () => {
  it('derives RFC 4122 version-4-shaped UUIDs from seed, namespace and counter', () => {
    const id = deterministicUuid('1', 'lcm-event', 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicUuid('1', 'lcm-event', 0)).toBe(id);
    expect(deterministicUuid('2', 'lcm-event', 0)).not.toBe(id);
    expect(deterministicUuid('1', 'request', 0)).not.toBe(id);
    expect(deterministicUuid('1', 'lcm-event', 1)).not.toBe(id);
  });

  it('keeps namespaces independent, and a pinned id still consumes its slot', () => {
    const a = createIdSource(7);
    const b = createIdSource(7);
    a.next('request');
    const a1 = a.next('lcm-event');
    expect(b.next('lcm-event')).toBe(a1); // requests do not shift LCM ids
    expect(b.next('lcm-event', 'pinned')).toBe('pinned');
    const c = createIdSource(7);
    c.next('lcm-event');
    c.next('lcm-event');
    expect(b.next('lcm-event')).toBe(c.next('lcm-event'));
    expect(b.count('lcm-event')).toBe(3);
  });
});
