/**
 * vitest global setup: Redis for every suite, found or started in the same
 * order `everynode up` uses — REDIS_URL; else 127.0.0.1:6379 if it answers;
 * else a private redis-server; else a container when a Docker engine answers.
 * Suites read the result from REDIS_URL.
 */
import { findOrStartRedis, type RedisHandle } from '@everynode/engine';

let handle: RedisHandle | undefined;

export async function setup(): Promise<void> {
  handle = await findOrStartRedis();
  process.env.REDIS_URL = handle.url;
}

export async function teardown(): Promise<void> {
  await handle?.stop();
}
