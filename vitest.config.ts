import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Socket-heavy suites on a 2-core machine: a little parallelism, not a stampede.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
    // Every CLI a test spawns inherits this: no test reaches the public DHT routers (a DHT test
    // sets SWARM_NO_DHT=0 with a private SWARM_DHT_BOOTSTRAP).
    env: { SWARM_NO_DHT: '1' },
  },
});
