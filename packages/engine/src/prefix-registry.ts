/**
 * The registry of everynode clusters on one Redis (or Redis Cluster): the
 * set `everynode:clusters` of their prefixes. `everynode up`, the API service
 * and single-prefix worker processes add their prefix when they start
 * (`register: true` in `startEngine`); `admin.destroy` (`everynode reset`)
 * removes it. A worker fleet started with `EVERYNODE_PREFIXES=*` reads it to
 * find the clusters to serve. The key has no hash tag of its own: on a
 * Redis Cluster it lives in its own slot, which is fine — nothing writes it
 * together with a cluster's keys.
 */
import type { RedisClient } from '@everynode/eventlog';

/** The registry's key. */
export const RegistryKey = 'everynode:clusters';

/** Add `prefix` to the registry (idempotent). */
export async function registerPrefix(redis: RedisClient, prefix: string): Promise<void> {
  await redis.sadd(RegistryKey, prefix);
}

/** Remove `prefix` from the registry (idempotent). */
export async function unregisterPrefix(redis: RedisClient, prefix: string): Promise<void> {
  await redis.srem(RegistryKey, prefix);
}

/** Every registered prefix, sorted. */
export async function registeredPrefixes(redis: RedisClient): Promise<string[]> {
  return (await redis.smembers(RegistryKey)).sort();
}
