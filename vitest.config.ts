import { defineConfig, type ViteUserConfig } from 'vitest/config';

const config: ViteUserConfig = defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Socket and Erlang-oracle tests are I/O bound; two forks match the 2-core CI machine.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    benchmark: {
      include: ['bench/**/*.bench.ts'],
    },
  },
});

export default config;
