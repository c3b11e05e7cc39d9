/**
 * The Redis client the store works with: one server (`Redis`) or a Redis
 * Cluster (`Cluster`). Every key of a prefix carries the hash tag `{prefix}`,
 * so on a cluster all of them live in one slot on one master, and every
 * script, `MULTI` and pipeline the store sends touches that slot only. What
 * differs is the few commands that look at every key of a server: `SCAN`
 * must ask each master (`scanKeys`).
 */
import type { Cluster, Redis } from 'ioredis';

/** A client for one Redis or for a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** True when `redis` is a Redis Cluster client. */
export function isCluster(redis: RedisClient): redis is Cluster {
  return redis.isCluster;
}

/**
 * Every key matching `pattern` (and of `type`, when given), a batch at a
 * time: `SCAN` on one server, on each master of a cluster. A key may be
 * reported twice (SCAN's own guarantee); the caller's work must not mind.
 */
export async function* scanKeys(redis: RedisClient, pattern: string, options: { type?: string; count?: number } = {}): AsyncGenerator<string[]> {
  const servers: Redis[] = isCluster(redis) ? redis.nodes('master') : [redis];
  const count = options.count ?? 1000;
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, found] = options.type
        ? await server.scan(cursor, 'MATCH', pattern, 'COUNT', count, 'TYPE', options.type)
        : await server.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (found.length > 0) yield found;
    } while (cursor !== '0');
  }
}
