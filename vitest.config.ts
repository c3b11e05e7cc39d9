import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Every integration and end-to-end suite runs twice: against a single Redis
 * (project `redis`) and against a real Redis Cluster of six redis-servers
 * (project `redis-cluster`, REDIS_URL=redis+cluster://…, the same suites
 * unchanged, plus the tests that exist for the cluster only,
 * `*.cluster.test.ts`). Left out of the cluster run, each for a reason:
 */
const singleServerOnly = [
  // A private redis-server of their own, paused, stopped or given the wrong password, is what they test;
  // a cluster's own failure (a master killed, its replica promoted) is test/failover.cluster.test.ts.
  'test/redis-outage.int.test.ts',
  'packages/engine/src/redis-check.int.test.ts',
  'packages/engine/src/redis-connect.int.test.ts',
  'packages/bridges/src/sources/redis-restart.int.test.ts',
  // A real Kafka broker only (skipped without one); the Kafka bridge's contract suites run in both.
  'packages/bridges/src/kafka.live.int.test.ts',
];
const integrationSuites = ['packages/*/src/**/*.int.test.ts', 'services/*/src/**/*.int.test.ts', 'test/**/*.int.test.ts', 'test/e2e/**/*.e2e.test.ts', 'examples/**/*.int.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'redis',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/**/*.cluster.test.ts'],
          globalSetup: ['test/support/global-build.ts', 'test/support/global-redis.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'redis-cluster',
          include: [...integrationSuites, 'test/**/*.cluster.test.ts'],
          exclude: [...configDefaults.exclude, ...singleServerOnly],
          globalSetup: ['test/support/global-build.ts', 'test/support/global-redis-cluster.ts'],
          setupFiles: ['test/support/redis-cluster-env.ts'],
        },
      },
    ],
  },
});
