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

/** The registry's key by default; `EVERYNODE_REGISTRY_KEY` names another (a fleet and the clusters it serves must agree). */
export const RegistryKey = 'everynode:clusters';

/** The registry key in use: `EVERYNODE_REGISTRY_KEY`, else `RegistryKey`. */
export function registryKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.EVERYNODE_REGISTRY_KEY?.trim() || RegistryKey;
}

/** Add `prefix` to the registry (idempotent). */
export async function registerPrefix(redis: RedisClient, prefix: string, key = registryKeyFromEnv()): Promise<void> {
  await redis.sadd(key, prefix);
}

/** Remove `prefix` from the registry (idempotent). */
export async function unregisterPrefix(redis: RedisClient, prefix: string, key = registryKeyFromEnv()): Promise<void> {
  await redis.srem(key, prefix);
}

/** Every registered prefix, sorted. */
export async function registeredPrefixes(redis: RedisClient, key = registryKeyFromEnv()): Promise<string[]> {
  return (await redis.smembers(key)).sort();
}
