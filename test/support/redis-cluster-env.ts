/**
 * Setup file of the `redis-cluster` project: every test file of that project,
 * and every process it starts, uses the Redis Cluster its global setup
 * started (`global-redis-cluster.ts`), through `REDIS_URL` like any user.
 */
import { inject } from 'vitest';

process.env.REDIS_URL = inject('redisClusterUrl');
