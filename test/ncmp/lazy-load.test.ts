import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The startup rule of the NCMP family (docs/ncmp.md, "Startup cost"): the scenario engine loads
 * the NCMP index on every run (its step checks are synchronous), so that index must not pull in
 * fastify, kafkajs, Ajv or TypeBox at import time; and the CLI's `serve` must not load src/ncmp
 * before its ready line unless asked. Checked on the static import graph of the sources: what a
 * module loads at import is its static imports (`import type` is erased; `import()` is lazy).
 */
const srcRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

// Runtime imports only: `import type …` / `export type …` are erased, `import()` is dynamic.
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^;'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** Every module `entry` loads at import time: source files (relative to src/) and packages. */
function staticClosure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    const rel = relative(srcRoot, file);
    if (files.has(rel)) return;
    files.add(rel);
    if (!file.endsWith('.ts')) return;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(STATIC_IMPORT)) {
      const spec = match[1] ?? '';
      if (spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec));
        continue;
      }
      const target = resolve(dirname(file), spec);
      const ts = target.replace(/\.js$/, '.ts');
      visit(existsSync(ts) ? ts : target);
    }
  };
  visit(resolve(srcRoot, entry));
  return { files, packages };
}

const HEAVY = ['fastify', 'kafkajs', 'ajv', 'ajv-formats', '@sinclair/typebox'];

describe('what loads at import time', () => {
  it('finds static imports and skips type-only and dynamic ones (the scanner works)', () => {
    const { files, packages } = staticClosure('ncmp/feed-server.ts');
    expect(files).toContain('ncmp/record.ts');
    expect(packages).not.toContain('fastify'); // import type + await import('fastify')
    expect(staticClosure('scenarios/schema.ts').packages).toContain('@sinclair/typebox');
  });

  it('the NCMP index loads none of fastify, kafkajs, Ajv or TypeBox', () => {
    const { packages } = staticClosure('ncmp/index.ts');
    expect([...packages].filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('the scenario engine (with the NCMP extension) loads none of them either', () => {
    const { files, packages } = staticClosure('scenarios/index.ts');
    expect(files).toContain('scenarios/steps/ncmp.ts');
    expect([...packages].filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('serve and run load no NCMP before the ready line unless the scenario or an option uses it', () => {
    for (const entry of ['cli/main.ts', 'cli/server-command.ts']) {
      const { files, packages } = staticClosure(entry);
      expect([...files].filter((f) => f.startsWith('ncmp/') || f.startsWith('scenarios/')), entry).toEqual([]);
      expect([...packages].filter((p) => HEAVY.includes(p)), entry).toEqual([]);
    }
  });
});
