/**
 * The scenario `nso-mock serve` plays when given none, so that the first command of the README
 * shows the mock working: it waits for a subscriber, then every few seconds sends a commit (simple
 * and diff), an audit line, progress and a log line. Clients see whichever types they subscribed
 * to; those that subscribe to commit-diff (or the sync flags) should ack. Every notification is one
 * that both the NSO 5.7 and the NSO 6.2 layouts carry (the progress event uses only fields of both
 * tuples, NSO62.md §B), so each client gets it in the layout its protocol version asks for.
 */
import type { ScenarioDocument } from '../scenarios/index.js';

/** The built-in demo scenario. */
export const demoScenario: ScenarioDocument = {
  name: 'built-in demo',
  description: 'Waits for a subscriber, then sends a commit, an audit line, progress and a log line every 5 seconds.',
  options: { 'fail-fast': false, 'require-acks': false },
  steps: [
    { log: 'demo: waiting for a subscriber (any mask; commit-diff subscribers should ack {TH, done})' },
    { 'await-subscribers': { count: 1, within: '24h' } },
    {
      repeat: {
        times: 100_000,
        steps: [
          { log: 'demo: commit by admin (commit-simple, commit-diff th 1001, audit, commit-progress, daemon)' },
          { emit: { type: 'commit-simple', db: 'running' } },
          { emit: { type: 'commit-diff', db: 'running', th: 1001, comment: 'demo commit', label: 'demo' } },
          { emit: { type: 'audit', logno: 108, msg: "CLI 'commit'" } },
          { emit: { type: 'commit-progress', event: 'info', tid: 1001, subsystem: 'ncs', msg: 'applying transaction' } },
          { emit: { type: 'daemon', logno: 29, prio: 'info', msg: 'demo: all systems nominal' } },
          { wait: '5s' },
        ],
      },
    },
  ],
};
