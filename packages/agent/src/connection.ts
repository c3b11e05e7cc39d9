/**
 * The agent's own Redis connection. BullMQ's ESM build cannot construct an
 * ioredis client from bare options (it has no `require`), so the agent always
 * hands BullMQ a client; it owns that client and closes it on shutdown.
 */
import { Redis, type RedisOptions } from 'ioredis';

/** Where Redis is: a `redis://` URL, ioredis options, or a client to copy (it is duplicated, never closed by the agent). */
export type AgentConnection = string | RedisOptions | Redis;

/** A new client for `connection`, with the `maxRetriesPerRequest: null` a BullMQ worker requires. */
export function openConnection(connection: AgentConnection): Redis {
  const blockingSafe = { maxRetriesPerRequest: null };
  if (typeof connection === 'string') return new Redis(connection, blockingSafe);
  if (connection instanceof Redis) return connection.duplicate(blockingSafe);
  return new Redis({ ...connection, ...blockingSafe });
}
