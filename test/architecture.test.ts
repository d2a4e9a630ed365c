import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Enforces the dependency direction of STYLE.md §2 by scanning import specifiers, with no extra
 * dependency: each layer may import only the layers listed here, and only through their index.ts.
 */
const srcRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

const allowed: Record<string, readonly string[]> = {
  codec: [],
  arbitraries: ['codec'],
  server: ['codec'],
  client: ['codec'],
  // Data models (YANG, .fxs) and NSO's tag hashes; the MAAPI server side reads them.
  schema: ['codec'],
  maapi: ['codec', 'schema'],
  scenarios: ['codec', 'arbitraries', 'server', 'ncmp', 'schema'],
  harness: ['server', 'scenarios', 'codec', 'arbitraries', 'client', 'ncmp', 'schema', 'maapi'],
  // The recording proxy (nso-mock record): its own sockets, the codec, and the scenario loader to check what it writes.
  record: ['codec', 'scenarios'],
  cli: ['harness', 'scenarios', 'codec', 'server', 'ncmp', 'arbitraries', 'client', 'schema', 'maapi', 'record'],
  // ncmp is the independent second event family: only the shared error registry is allowed.
  ncmp: ['codec/errors'],
  '.': ['harness', 'codec', 'scenarios', 'server', 'client', 'arbitraries', 'ncmp', 'schema', 'maapi'],
};

/** Node built-ins each layer may use; only the server (and the tools above it) touch sockets. */
const netAllowed = new Set(['server', 'client', 'harness', 'cli', 'ncmp', 'record']);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function layerOf(file: string): string {
  const rel = relative(srcRoot, file).split(sep);
  return rel.length === 1 ? '.' : (rel[0] ?? '.');
}

const importPattern = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const match of text.matchAll(importPattern)) {
    const spec = match[1] ?? match[2];
    if (spec !== undefined) specs.push(spec);
  }
  return specs;
}

describe('architecture', () => {
  const files = sourceFiles(srcRoot);

  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('keeps the dependency direction of STYLE.md §2', () => {
    const problems: string[] = [];
    for (const file of files) {
      const layer = layerOf(file);
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) {
          if ((spec === 'node:net' || spec === 'net') && !netAllowed.has(layer)) {
            problems.push(`${relative(srcRoot, file)} imports ${spec}`);
          }
          if (layer === 'codec' && !spec.startsWith('node:')) {
            problems.push(`${relative(srcRoot, file)} (codec) imports package ${spec}`);
          }
          continue;
        }
        const target = resolve(dirname(file), spec);
        const targetRel = relative(srcRoot, target).split(sep);
        const targetLayer = targetRel.length === 1 ? '.' : (targetRel[0] ?? '.');
        if (targetLayer === layer) continue;
        const targetPath = targetRel.join('/').replace(/\.(js|json)$/, '');
        const viaIndex = targetRel.length === 2 && targetRel[1] === 'index.js';
        const permitted = allowed[layer] ?? [];
        const ok =
          permitted.includes(targetPath) ||
          (permitted.includes(targetLayer) && viaIndex);
        if (!ok) problems.push(`${relative(srcRoot, file)} (${layer}) imports ${spec}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
