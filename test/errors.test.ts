import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorCodes, type NsoMockErrorCode } from '../src/codec/index.js';

/** Codes are API (STYLE.md §3): the runtime registry, the union type and docs/errors.md must agree. */
describe('error code registry', () => {
  const docs = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...docs.matchAll(/^\|\s*`(NSOMOCK_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]);

  it('documents every code exactly once, in registry order', () => {
    expect(documented).toEqual([...errorCodes]);
  });

  it('uses the NSOMOCK_ prefix and a description for every code', () => {
    for (const code of errorCodes) {
      expect(code).toMatch(/^NSOMOCK_[A-Z0-9]+(_[A-Z0-9]+)*$/);
      expect(ERROR_CODES[code].length).toBeGreaterThan(10);
    }
  });

  it('keeps the union type and the runtime list the same', () => {
    // A code added to the union but not the registry (or the reverse) fails to compile here.
    const fromType: Record<NsoMockErrorCode, true> = Object.fromEntries(errorCodes.map((c) => [c, true])) as Record<
      NsoMockErrorCode,
      true
    >;
    expect(Object.keys(fromType).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});
