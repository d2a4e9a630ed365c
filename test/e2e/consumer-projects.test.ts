/**
 * nso-mock in a consumer's project, as installed (node_modules/nso-mock → this package, built):
 * the harness under `node:test` (Node's own runner), and the types in an ESM TypeScript project —
 * the documented requirement ("type": "module", module nodenext): `notificationArbitrary()` is a
 * fast-check Arbitrary of the consumer's own fast-check, so `fc.assert(fc.property(...))` compiles.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mainJs, repoRoot } from './cli-process.js';
import { scaled } from '../support/time-scale.js';

const project = mkdtempSync(join(tmpdir(), 'nso-mock-consumer-project-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

function setUp(): void {
  // The package's exports point into dist/: it must be built (npm test builds first).
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build first (npm run build; npm test does)`);
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  for (const [name, target] of [
    ['nso-mock', repoRoot],
    ['fast-check', join(repoRoot, 'node_modules', 'fast-check')],
    ['@types', join(repoRoot, 'node_modules', '@types')],
  ] as const) {
    try {
      symlinkSync(target, join(project, 'node_modules', name));
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module' }));
}

describe('a consumer project', () => {
  it('runs the harness under node:test', () => {
    setUp();
    writeFileSync(
      join(project, 'consumer.test.mjs'),
      [
        "import { test } from 'node:test';",
        "import assert from 'node:assert/strict';",
        "import { startNsoMock, NOTIF } from 'nso-mock';",
        "import { connect } from 'nso-mock/client';",
        '',
        "test('acks a commit diff', async () => {",
        '  const mock = await startNsoMock();',
        '  try {',
        '    const client = await connect(mock.addresses.tcp, { mask: NOTIF.COMMIT_DIFF, autoAck: true });',
        '    await mock.waitForSubscribers(1, { within: 10000, mask: NOTIF.COMMIT_DIFF });',
        "    const { outcome } = await mock.emit({ type: 'commit-diff', th: 17 }, { within: 10000 });",
        '    assert.equal(outcome.ok, true);',
        '    mock.assertNoPendingAcks();',
        '    await client.close();',
        '  } finally {',
        '    await mock.close();',
        '  }',
        '});',
        '',
      ].join('\n'),
    );
    const result = spawnSync(process.execPath, ['--test', 'consumer.test.mjs'], { cwd: project, encoding: 'utf8', timeout: scaled(60_000) });
    expect(result.stdout).toMatch(/# pass 1\b/);
    expect(result.stdout).toMatch(/# fail 0\b/);
    expect(result.status).toBe(0);
  }, scaled(60_000));

  it('type-checks notificationArbitrary() with the consumer\'s fast-check in an ESM TypeScript project', () => {
    setUp();
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, files: ['props.ts'] }),
    );
    writeFileSync(
      join(project, 'props.ts'),
      [
        "import fc from 'fast-check';",
        "import { notificationArbitrary, anyNotificationArbitrary } from 'nso-mock/arbitraries';",
        "import { startNsoMock, type RunningNsoMock } from 'nso-mock';",
        '',
        "fc.assert(fc.property(notificationArbitrary('commit-diff', { clientStyle: 'c' }), (n) => n.type === 'commit-diff'));",
        'const any: fc.Arbitrary<{ type: string }> = anyNotificationArbitrary();',
        'export const started: Promise<RunningNsoMock> = startNsoMock();',
        'export { any };',
        '',
      ].join('\n'),
    );
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8', timeout: scaled(120_000) });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, scaled(120_000));
});
