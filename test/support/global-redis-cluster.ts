/**
 * vitest global setup of the `redis-cluster` project: a real local Redis
 * Cluster (six `redis-server`s, three masters with a replica each; see
 * `redis-cluster.ts`) for the suites that project reruns, torn down after
 * them. Its URL (`redis+cluster://…`) reaches the test files through
 * `provide('redisClusterUrl')`, which `redis-cluster-env.ts` puts in
 * `REDIS_URL` before any test file loads — the single-Redis project's
 * global setup sets `REDIS_URL` in this same process, so the environment
 * cannot carry both.
 */
import type { TestProject } from 'vitest/node';
import { type LocalRedisCluster, startRedisCluster } from './redis-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisClusterUrl: string;
  }
}

let cluster: LocalRedisCluster | undefined;

export async function setup(project: TestProject): Promise<void> {
  cluster = await startRedisCluster();
  project.provide('redisClusterUrl', cluster.url);
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}
