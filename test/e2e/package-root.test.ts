/**
 * The package root (`nso-mock`, the BUILT `dist/index.js`) must be light: importing it loads
 * neither fast-check nor YAML nor Ajv; the conform/fuzz runners, the scenario loader and the
 * validator load them on first use (src/harness/runners.ts, src/scenarios/source.ts,
 * src/scenarios/validate.ts). Checked in a fresh `node` process: an ESM loader hook
 * (`module.register`) records every resolved module, and `require.cache` shows CommonJS loads
 * (Ajv is `require`d through `createRequire`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const distIndex = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const distArbitraries = fileURLToPath(new URL('../../dist/arbitraries/index.js', import.meta.url));
const HEAVY = ['fast-check', 'yaml', 'ajv'] as const;

// Runs in the loader thread: appends each resolved URL to the file named by the initialize data.
const HOOKS = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, result.url + '\\n');
  return result;
}
`;

let dir: string;

beforeAll(() => {
  if (!existsSync(distIndex)) throw new Error(`${distIndex} is missing: build first (npm run build; npm test does)`);
  dir = mkdtempSync(join(tmpdir(), 'nsomock-root-'));
  writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Loaded {
  /** Every module URL the ESM loader resolved. */
  readonly esm: readonly string[];
  /** Every file in `require.cache` after the import. */
  readonly cjs: readonly string[];
  /** The entry's export names. */
  readonly exports: readonly string[];
}

/** Imports `entry` in a fresh node process (then runs `then`, with the module as `mod`) and reports what got loaded. */
async function importFresh(entry: string, name: string, then = ''): Promise<Loaded> {
  const log = join(dir, `${name}.log`);
  writeFileSync(log, '');
  const register = join(dir, `${name}-register.mjs`);
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)}, { data: { log: ${JSON.stringify(log)} } });\n`,
  );
  const script = [
    `import { createRequire } from 'node:module';`,
    `const mod = await import(${JSON.stringify(pathToFileURL(entry).href)});`,
    then,
    `const cjs = Object.keys(createRequire(import.meta.url).cache);`,
    `process.stdout.write(JSON.stringify({ cjs, exports: Object.keys(mod) }));`,
  ].join('\n');
  const child = spawn(process.execPath, ['--import', pathToFileURL(register).href, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, err).toBe(0);
  const { cjs, exports } = JSON.parse(out) as { cjs: string[]; exports: string[] };
  return { esm: readFileSync(log, 'utf8').split('\n').filter((l) => l !== ''), cjs, exports };
}

/** The heavy packages among loaded module paths. */
function heavyIn(paths: readonly string[]): string[] {
  const found = new Set<string>();
  for (const p of paths) {
    for (const pkg of HEAVY) if (p.replaceAll('\\', '/').includes(`/node_modules/${pkg}/`)) found.add(pkg);
  }
  return [...found].sort();
}

describe('the package root', () => {
  it('loads neither fast-check, YAML nor Ajv, and still exports the runners and the scenario API', async () => {
    const root = await importFresh(distIndex, 'root');
    expect(root.esm.some((u) => u.endsWith('/dist/harness/start-nso-mock.js'))).toBe(true);
    expect(heavyIn(root.esm)).toEqual([]);
    expect(heavyIn(root.cjs)).toEqual([]);
    expect(root.exports).toEqual(
      expect.arrayContaining(['startNsoMock', 'runConform', 'runConformCase', 'listConformCases', 'runFuzz', 'runFuzzScenario', 'loadFuzzScenario', 'loadScenario', 'playScenario', 'createMockServer']),
    );
  });

  it('the probe sees fast-check where it is loaded (nso-mock/arbitraries)', async () => {
    const arbitraries = await importFresh(distArbitraries, 'arbitraries');
    expect(heavyIn(arbitraries.esm)).toContain('fast-check');
  });

  it('the probe sees Ajv (a CommonJS require) once the root validates a scenario', async () => {
    const root = await importFresh(distIndex, 'validated', `await mod.scenarioFromDocument({ name: 'x', steps: [{ wait: '1ms' }] });`);
    expect(heavyIn(root.cjs)).toEqual(['ajv']);
  });

  it('nso-mock/schema resolves through the exports map to dist/schema, loads no heavy package, and hashes like NSO (phash2)', async () => {
    const entry = createRequire(fileURLToPath(new URL('../../package.json', import.meta.url))).resolve('nso-mock/schema');
    expect(entry).toBe(fileURLToPath(new URL('../../dist/schema/index.js', import.meta.url)));
    const schema = await importFresh(entry, 'schema', `if (mod.phash2('sys') !== 1280841638) throw new Error('phash2 of sys');`);
    expect(heavyIn(schema.esm)).toEqual([]);
    expect(heavyIn(schema.cjs)).toEqual([]);
    expect(schema.exports).toEqual(
      expect.arrayContaining(['loadSchema', 'phash2', 'parseKeypath', 'keypathToTerm', 'keypathFromTerm', 'valueToTerm', 'typeChange', 'typeDataEntry', 'loadAllNsFrames', 'SchemaError']),
    );
  });
});
