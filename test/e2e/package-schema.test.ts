/**
 * `nso-mock/schema` as a package export (package.json `exports`): the built entry resolves by the
 * package's own name, exports the schema API, and loads neither fast-check, YAML nor Ajv.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './cli-process.js';

describe('nso-mock/schema', () => {
  it('resolves through the package exports and hashes like NSO (phash2)', async () => {
    const script = [
      `const mod = await import('nso-mock/schema');`,
      `const schema = mod.loadSchema(['examples/models/mk.yang']);`,
      `const heavy = Object.keys((await import('node:module')).createRequire(import.meta.url).cache).filter((p) => /node_modules\\/(fast-check|yaml|ajv)\\//.test(p));`,
      `process.stdout.write(JSON.stringify({ exports: Object.keys(mod).sort(), sys: schema.roots[0].tagHash, phash: mod.phash2('sys'), heavy }));`,
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, err).toBe(0);
    const result = JSON.parse(out) as { exports: string[]; sys: number; phash: number; heavy: string[] };
    expect(result.exports).toEqual(expect.arrayContaining(['loadSchema', 'phash2', 'parseKeypath', 'keypathToTerm', 'keypathFromTerm', 'valueToTerm', 'typeChange', 'loadAllNsFrames', 'SchemaError']));
    expect(result.sys).toBe(result.phash);
    expect(result.sys).toBe(1280841638);
    expect(result.heavy).toEqual([]);
  });
});
