import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The suites that also run against a real Redis Cluster (project
 * `redis-cluster`, REDIS_URL=redis+cluster://…): the engine, the event log
 * and the HTTP server, the guarantees, exactly-once and the seed end to end,
 * the Redis Streams bridges (the bus itself on the cluster), and the tests
 * that exist for the cluster only (`*.cluster.test.ts`). The rest run on the
 * single Redis only: suites about one server's own failure modes (a private
 * redis-server paused, restarted or behind a proxy: redis-outage, crash,
 * recovery, redis-check, redis-connect), the other buses' bridges, and the
 * kubectl/rollout end-to-end stories, which exercise the controller, not the
 * storage, and would double CI time on two cores.
 */
const clusterSuites = [
  'packages/engine/src/{archive,commit,ingress,log-waiter,operations,pod-records,replay-index,snapshot}.int.test.ts',
  'packages/eventlog/src/**/*.test.ts',
  'packages/server/src/{server,reads,history,time-travel,watch,delete}.int.test.ts',
  'test/guarantees.int.test.ts',
  'test/exactly-once.int.test.ts',
  'test/e2e/seed.e2e.test.ts',
  // The Redis Streams bridges, with the bus itself on the cluster.
  'packages/bridges/src/sources/redis-streams.int.test.ts',
  'packages/bridges/src/sinks/redis-streams.contract.int.test.ts',
  'test/**/*.cluster.test.ts',
];

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
          include: clusterSuites,
          globalSetup: ['test/support/global-build.ts', 'test/support/global-redis-cluster.ts'],
          setupFiles: ['test/support/redis-cluster-env.ts'],
        },
      },
    ],
  },
});
