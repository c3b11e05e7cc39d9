/**
 * An ioredis client whose commands time out and whose copies do not.
 *
 * Without a timeout, a command sent to a Redis that stopped answering (a
 * paused process, a half-open connection) waits until the connection dies,
 * which may be never; an HTTP request waiting on it hangs as long. With
 * ioredis's `commandTimeout` it fails instead, and the request can answer
 * 503. A timed-out write may still land once Redis answers again: every
 * write the engine makes is idempotent (events by `(source, id)`, commits by
 * expected version, jobs by id), so a retry after the 503 is safe.
 *
 * BullMQ gives each Worker a blocking connection by calling `duplicate()` on
 * the client it is handed. `BZPOPMIN` there blocks for seconds by design, so
 * a command timeout on the copy would fail every quiet wait: the copies made
 * here have none.
 */
import { Redis, type RedisOptions } from 'ioredis';

export class TimedRedis extends Redis {
  /** `options` with `commandTimeout: commandTimeoutMs` (ms; a positive number). */
  constructor(options: RedisOptions, commandTimeoutMs: number) {
    super({ ...options, commandTimeout: commandTimeoutMs });
  }

  /** A copy of this client (same server and credentials, `override` applied) without the command timeout. */
  override duplicate(override?: Partial<RedisOptions>): Redis {
    return new Redis({ ...this.options, ...override, commandTimeout: undefined });
  }
}
