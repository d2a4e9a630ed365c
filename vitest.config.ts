import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { scaled as timeScaled } from './test/support/time-scale.js';

const config: ViteUserConfig = defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Socket and Erlang-oracle tests are I/O bound; two forks match the 2-core CI machine.
    pool: 'forks',
    // Real-clock budgets grow with NSO_MOCK_TEST_TIME_SCALE (test/support/time-scale.ts).
    testTimeout: timeScaled(30_000),
    hookTimeout: timeScaled(30_000),
    reporters: ['default', './test/support/summary-reporter.ts'],
    benchmark: {
      include: ['bench/**/*.bench.ts'],
    },
  },
});

export default config;
