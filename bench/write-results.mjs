// Writes bench/RESULTS.md from the rows the bench files appended to bench/.results/rows.jsonl
// (`npm run bench` clears it first with --clear). Only the ratios of the same run are quoted.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const rowsFile = fileURLToPath(new URL('.results/rows.jsonl', import.meta.url));
const out = fileURLToPath(new URL('RESULTS.md', import.meta.url));
if (process.argv.includes('--clear')) {
  rmSync(rowsFile, { force: true });
  process.exit(0);
}
if (!existsSync(rowsFile)) throw new Error('write-results: no rows (run the benches first)');
const rows = readFileSync(rowsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

const spread = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const m = s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { min: s[0], median: m, max: s[s.length - 1], n: s.length };
};
const num = (n) => (n === undefined || Number.isNaN(n) ? '–' : Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : Math.abs(n) >= 10 ? n.toFixed(1) : n.toPrecision(3));
const ratio = (n) => (n >= 10 ? n.toFixed(1) : n.toFixed(2));
const met = (row, r) => {
  if (row.target === undefined) return '';
  const m = /([≥≤])\s*([\d.]+)/.exec(row.target);
  if (m === null) return '';
  const ok = m[1] === '≥' ? r.median >= Number(m[2]) : r.median <= Number(m[2]);
  return `${row.target} ${ok ? '**met**' : '**not met**'}`;
};

let otp = '?';
try {
  otp = execFileSync('erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().'], { encoding: 'utf8' });
} catch {}
const cpu = cpus();
const lines = [
  '# Benchmark results',
  '',
  'Written by `npm run bench` (bench/write-results.mjs); do not edit by hand. How the rows are',
  'measured, and what each peer does: [bench/README.md](README.md).',
  '',
  `- date: ${new Date().toISOString()}`,
  `- machine: ${cpu.length} × ${cpu[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.platform} ${process.arch}; Node ${process.version}, Erlang/OTP ${otp}`,
  `- load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (other work on the machine during the run falls on both contenders of a row alike: they run interleaved)`,
  '',
  'Ratio = ours ÷ peer per round (same round, same load), min / **median** / max over the rounds. For',
  'rates (/s) higher is better for us; for costs (ms, µs, KiB) lower is. The medians of the samples are',
  'given for orientation only.',
];
let section = '';
for (const row of rows) {
  if (row.section !== section) {
    section = row.section;
    lines.push('', `## ${section}`, '', '| what | ours | peer | ours ÷ peer (min / median / max) | ours (median) | peer (median) | target |', '|---|---|---|---|---:|---:|---|');
  }
  const r = spread(row.ratios);
  const better = row.higherIsBetter ? 'higher is better' : 'lower is better';
  lines.push(
    `| ${row.what}${row.note ? ` (${row.note})` : ''} | ${row.ours} | ${row.peer} | ${ratio(r.min)} / **${ratio(r.median)}** / ${ratio(r.max)} (${r.n} rounds; ${better}) | ${num(spread(row.oursSamples).median)} ${row.unit} | ${num(spread(row.peerSamples).median)} ${row.unit} | ${met(row, r)} |`,
  );
}
writeFileSync(out, `${lines.join('\n')}\n`);
process.stdout.write(`wrote ${out} (${rows.length} rows)\n`);
