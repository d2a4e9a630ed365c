import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CANONICAL_SHARED_DIR, SHARED_DIR } from './support/shared-dir.js';

const vendored = fileURLToPath(SHARED_DIR);
const canonical = fileURLToPath(CANONICAL_SHARED_DIR);
/** `sha256sum` output over the vendored files, made when they were copied. */
const manifestPath = fileURLToPath(new URL('fixtures/shared.sha256', import.meta.url));
// Only the parts the tests read are vendored (shared-dir.ts).
const parts = ['protocol', 'schemas/ncmp'];

/** `path → sha256` of every file below `root`'s `parts`. */
function hashes(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of parts) {
    for (const f of readdirSync(join(root, part), { recursive: true, encoding: 'utf8' })) {
      const path = join(part, f);
      if (statSync(join(root, path)).isFile()) out.set(path, createHash('sha256').update(readFileSync(join(root, path))).digest('hex'));
    }
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function manifest(): Map<string, string> {
  const lines = readFileSync(manifestPath, 'utf8').trim().split('\n');
  return new Map(lines.map((l) => l.split(/\s+/)).map(([hash, path]) => [path!, hash!]));
}

describe('the vendored copy of shared/ (test/fixtures/shared)', () => {
  it('holds the vectors, PROTOCOL.md and the NCMP schemas the tests read', () => {
    const files = [...hashes(vendored).keys()];
    expect(files).toContain(join('protocol', 'PROTOCOL.md'));
    expect(files).toContain(join('protocol', 'vectors', 'notifications.jsonl'));
    expect(files).toContain(join('schemas', 'ncmp', 'lcm', 'lcm-event-schema-v1.json'));
  });

  // The manifest pins the copy; where the canonical shared/ sits beside the repository (a
  // developer's checkout, not a CI clone) it must match the same manifest, so a drift either way fails.
  it('matches its manifest, and so does the canonical shared/ wherever it is present', () => {
    const pinned = Object.fromEntries(manifest());
    expect(Object.fromEntries(hashes(vendored))).toEqual(pinned);
    if (existsSync(canonical)) expect(Object.fromEntries(hashes(canonical))).toEqual(pinned);
  });
});
