import { describe, expect, it } from 'vitest';
import { demoScenario } from '../../src/cli/demo.js';
import { connect } from '../../src/client/index.js';
import { NOTIF } from '../../src/codec/index.js';
import { checkScenarioDocument, playScenario, scenarioFromDocument } from '../../src/scenarios/index.js';
import { createMockServer } from '../../src/server/index.js';

describe('the built-in demo of `serve`', () => {
  // serve loads it with `trusted: true` (no Ajv at startup); this is the check it skips.
  it('is a valid scenario', async () => {
    expect(checkScenarioDocument(demoScenario)).toEqual([]);
    const scenario = await scenarioFromDocument(demoScenario);
    expect(scenario.steps.map((s) => s.kind)).toEqual(['log', 'await-subscribers', 'repeat']);
  });

  it('compiles the same trusted or not', async () => {
    expect(await scenarioFromDocument(demoScenario, { trusted: true })).toEqual(await scenarioFromDocument(demoScenario));
  });

  it('gives a 6.2 client (protocol 82) and a 5.7 client (protocol 77) at once every notification of a round, each in its own layouts', async () => {
    const server = createMockServer({ tcp: { port: 0 } });
    const { tcp } = await server.listen();
    const controller = new AbortController();
    const mask = NOTIF.COMMIT_SIMPLE | NOTIF.COMMIT_DIFF | NOTIF.AUDIT | NOTIF.COMMIT_PROGRESS | NOTIF.DAEMON;
    try {
      // the TypeScript client refuses what the real library of its profile would abort on (NSO62.md §D)
      const c62 = await connect(tcp!, { mask, profile: 'nso62', autoAck: true });
      const c57 = await connect(tcp!, { mask, profile: 'nso57', autoAck: true });
      const run = playScenario(await scenarioFromDocument(demoScenario, { trusted: true }), server, { clock: server.clock, signal: controller.signal });
      const round = ['commit-simple', 'commit-diff', 'audit', 'commit-progress', 'daemon'];
      const [got62, got57] = await Promise.all([c62.take(5), c57.take(5)]);
      expect(got62.map((r) => r.type)).toEqual(round);
      expect(got57.map((r) => r.type)).toEqual(round);
      const arity = (r: (typeof got62)[number] | undefined): number => (r?.term.kind === 'tuple' && r.term.elements[1]?.kind === 'tuple' ? r.term.elements[1].elements.length : 0);
      expect([arity(got62[3]), arity(got57[3])]).toEqual([15, 19]);
      expect(server.subscribers().map((s) => s.profile)).toEqual(['nso62', 'nso57']);
      controller.abort();
      const report = await run;
      expect(report.notSent).toEqual([]);
      await Promise.all([c62.close(), c57.close()]);
    } finally {
      controller.abort();
      await server.close();
    }
  });
});
