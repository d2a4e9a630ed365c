/**
 * `nso-mock fuzz` end to end: the built CLI fuzzes the example Python client (every run holds)
 * and its buggy variants (a failure is found, shrunk, written as YAML; `nso-mock run` on that YAML
 * with the buggy client exits 1, with the good client exits 0; `fuzz --replay` agrees).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot, startCli } from './cli-process.js';
import { scaled } from '../support/time-scale.js';

const GOOD_SCRIPT = 'examples/clients/python/nso_events_client.py';
const BUGGY_SCRIPT = 'examples/clients/python/nso_events_client_buggy.py';
const good = `python3 ${GOOD_SCRIPT} --port {port} --mask {mask} --binding {profile}`;
const buggy = (bug: string): string => `python3 ${BUGGY_SCRIPT} --bug ${bug} --port {port} --mask {mask} --binding {profile}`;

async function fuzz(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = startCli(['fuzz', ...args]);
  const code = await cli.exited;
  return { code, stdout: cli.stdout.join('\n'), stderr: cli.stderr() };
}

/**
 * `nso-mock run FILE --port 0`, then the client started against the port from the ready line and
 * the mask the scenario waits for: the replay a user would do by hand.
 */
async function replayWithRun(file: string, clientArgs: readonly string[], mask: number): Promise<number> {
  const run = startCli(['run', file, '--port', '0']);
  const ready = await run.ready;
  const port = ready.tcp?.port ?? 0;
  const client = spawn('python3', [...clientArgs, '--port', String(port), '--mask', String(mask)], { cwd: repoRoot, stdio: 'ignore' });
  const code = await run.exited;
  client.kill('SIGKILL');
  return code;
}

describe('nso-mock fuzz', () => {
  it('finds nothing wrong with the example client, and reports runs per second', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nso-fuzz-e2e-'));
    const started = performance.now();
    const { code, stdout } = await fuzz(['--client', good, '--runs', '12', '--seed', '7', '--out', out]);
    expect(stdout).toMatch(/12 runs passed in [\d.]+ s \(([\d.]+) runs\/s\), seed 7/);
    expect(code).toBe(0);
    expect(readdirSync(out)).toEqual([]);
    console.info(`fuzz: ${stdout.trim()} (wall ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  });

  it('with terminal faults (close, garbage, a cut frame) the example client gives up cleanly', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nso-fuzz-e2e-'));
    const ok = await fuzz(['--client', good, '--runs', '6', '--seed', '5', '--terminal-faults', '--max-events', '6', '--out', out]);
    expect(ok.stdout).toContain('6 runs passed');
    expect(ok.code).toBe(0);
  });

  it('hang: a client that stops reading is caught by the probe', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nso-fuzz-e2e-'));
    const hung = await fuzz(['--client', buggy('hang'), '--runs', '3', '--seed', '5', '--max-events', '4', '--out', out, '--ack-timeout', String(scaled(300)), '--shrink-time', String(scaled(5000))]);
    expect(hung.code).toBe(1);
    expect(hung.stdout).toMatch(/did not send \{\d+,done\}/);
  }, scaled(5000 + 30_000)); // the shrink budget plus the runs, with margin

  it('forget-diff-ack: fails, shrinks to the probe, writes YAML that nso-mock run replays as a failure', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nso-fuzz-e2e-'));
    const { code, stdout } = await fuzz(['--client', buggy('forget-diff-ack'), '--runs', '10', '--seed', '3', '--out', out, '--ack-timeout', String(scaled(300)), '--shrink-time', String(scaled(15000))]);
    expect(code).toBe(1);
    expect(stdout).toContain('seed 3');
    expect(stdout).toMatch(/did not send \{\d+,done\}/);
    const file = join(out, 'nso-mock-fuzz-3.yaml');
    const yaml = readFileSync(file, 'utf8');
    expect(yaml).toMatch(/^# Minimal failing scenario found by: nso-mock fuzz --seed 3/);
    // The failing step is named by the file written and its line, which holds that step.
    expect(stdout).not.toContain('(document)');
    const at = /nso-mock-fuzz-3\.yaml:(\d+):(\d+): (.*)\((steps\[\d+\])\)/.exec(stdout);
    expect(at, stdout).not.toBeNull();
    expect(yaml.split('\n')[Number(at![1]) - 1]).toMatch(/^\s*- /);
    const doc = parse(yaml) as { steps: Record<string, unknown>[] };
    // Shrunk: waiting for the subscriber, then the probe (still subscribed? then a commit diff that needs an ack).
    expect(doc.steps.length).toBeLessThanOrEqual(4);
    expect(doc.steps[0]).toHaveProperty('await-subscribers');
    const mask = Number(/with mask (\d+)/.exec(yaml)?.[1]);
    expect(await replayWithRun(file, [BUGGY_SCRIPT, '--bug', 'forget-diff-ack'], mask)).toBe(1);
    expect(await replayWithRun(file, [GOOD_SCRIPT], mask)).toBe(0);
    // The printed `run --client` replay is one command that fills in the port and mask itself.
    expect(stdout).toContain(`or: nso-mock run ${file} --port 0 --client ${JSON.stringify(buggy('forget-diff-ack'))}`);
    expect(yaml).toContain(`#   or: nso-mock run <this file> --port 0 --client ${JSON.stringify(buggy('forget-diff-ack'))}`);
    const oneCommand = startCli(['run', file, '--port', '0', '--client', buggy('forget-diff-ack')]);
    expect(await oneCommand.exited).toBe(1);
    const replayed = await fuzz(['--client', buggy('forget-diff-ack'), '--replay', file, '--ack-timeout', String(scaled(300))]);
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toContain('failed');
    expect(replayed.stdout).toMatch(/nso-mock-fuzz-3\.yaml:\d+:\d+: /);
  }, scaled(15_000 + 30_000));

  it('crash-on-unknown: the shrunk scenario keeps the call-home notification the client dies on', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nso-fuzz-e2e-'));
    const { code, stdout } = await fuzz([
      '--client', buggy('crash-on-unknown'), '--runs', '15', '--seed', '11', '--out', out,
      '--types', 'call-home-info,audit,daemon', '--max-events', '4', '--ack-timeout', String(scaled(300)), '--shrink-time', String(scaled(20000)), '--no-transport-faults',
    ]);
    expect(code).toBe(1);
    const file = join(out, 'nso-mock-fuzz-11.yaml');
    const doc = parse(readFileSync(file, 'utf8')) as { steps: { emit?: { type: string } }[] };
    const emitted = doc.steps.flatMap((s) => (s.emit === undefined ? [] : [s.emit.type]));
    expect(emitted).toEqual(['call-home-info', 'commit-diff']);
    expect(stdout).toContain('KeyError');
    const mask = Number(/with mask (\d+)/.exec(readFileSync(file, 'utf8'))?.[1]);
    expect(await replayWithRun(file, [BUGGY_SCRIPT, '--bug', 'crash-on-unknown'], mask)).toBe(1);
  }, scaled(20_000 + 30_000));

  it('exits 2 without a client or with an unknown type', async () => {
    expect((await fuzz([])).code).toBe(2);
    const bad = await fuzz(['--client', good, '--types', 'no-such-type', '--runs', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown notification type no-such-type');
  });
});
