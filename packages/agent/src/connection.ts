/**
 * The agent's own Redis connection. BullMQ's ESM build cannot construct an
 * ioredis client from bare options (it has no `require`), so the agent always
 * hands BullMQ a client; it owns that client and closes it on shutdown. A
 * URL goes through the engine's `openRedis`, so `redis+cluster://…` gives a
 * Redis Cluster client like every other component's.
 */
import { openRedis, type RedisClient } from '@everynode/engine';
import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** Where Redis is: a `redis://` or `redis+cluster://` URL, ioredis options, or a client to copy (it is duplicated, never closed by the agent). */
export type AgentConnection = string | RedisOptions | RedisClient;

/** A new client for `connection`, with the `maxRetriesPerRequest: null` a BullMQ worker requires. */
export function openConnection(connection: AgentConnection): RedisClient {
  const blockingSafe = { maxRetriesPerRequest: null };
  if (typeof connection === 'string') return openRedis(connection, { redisOptions: blockingSafe });
  if (connection instanceof Cluster) return connection.duplicate(undefined, { redisOptions: { ...connection.options.redisOptions, ...blockingSafe } });
  if (connection instanceof Redis) return connection.duplicate(blockingSafe);
  return new Redis({ ...connection, ...blockingSafe });
}
