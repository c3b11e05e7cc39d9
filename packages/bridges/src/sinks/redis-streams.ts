/**
 * A Redis Streams sink: each command XADDed to a stream as one entry, in
 * the mapping the Redis Streams source reads (`sources/redis-streams.ts`):
 *
 * - binary (default): a field per attribute, `ce-` prefixed (`ce-id`,
 *   `ce-source`, `ce-type`, `ce-specversion`, `ce-subject`, `ce-time`),
 *   `content-type` the data's content type, and `data` the data as JSON;
 * - structured: `content-type: application/cloudevents+json` and `data` the
 *   whole event as JSON.
 *
 * What it guarantees: `deliver` resolves once Redis answered the XADD, so
 * the entry is in the stream (durable as far as the server's persistence
 * is: AOF or replicas). No trimming unless `maxLen` is given (`MAXLEN ~`,
 * which may keep somewhat more). ioredis reconnects by itself; a command
 * sent while it is not connected fails at once (no offline queue), and one
 * not answered within `timeoutMs` fails: the bridge retries either with
 * backoff.
 *
 * What Redis does not do: dedupe. An XADD answered just as the connection
 * went, or after the timeout, was applied and is sent again as a second
 * entry: consumers drop the repeat by the `id` attribute (`ce-id`).
 */
import { openRedis } from '@everynode/engine';
import { type ContentMode, encodeCommand } from '../encode.ts';
import type { CommandSink } from '../outbound.ts';

export interface RedisStreamsSinkOptions {
  /** `redis://…` with any credentials already resolved (never logged). */
  readonly url: string;
  readonly stream: string;
  /** Default `binary`. */
  readonly mode?: ContentMode;
  /** Trim the stream to about this many entries (`MAXLEN ~`) on each XADD. Default: no trimming. */
  readonly maxLen?: number;
  /** For the connection and each XADD. Default 10 s. */
  readonly timeoutMs?: number;
}

/** The entry's fields, in the order XADD is given them: the headers, then `data`. */
export function streamFields(encoded: { readonly headers: Readonly<Record<string, string>>; readonly body: string }): string[] {
  return [...Object.entries(encoded.headers).flat(), 'data', encoded.body];
}

export function redisStreamsSink(options: RedisStreamsSinkOptions): CommandSink {
  const { stream } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  // A `redis+cluster://` URL names a Redis Cluster: the stream's key lives on its slot's master.
  const redis = openRedis(options.url, {
    redisOptions: {
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      connectionName: `everynode-bridge-out:${stream}`,
      maxRetriesPerRequest: 20,
      retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    },
    client: { lazyConnect: true, enableOfflineQueue: false },
  });
  // Errors are reported by the delivery they fail (their messages carry no URL).
  redis.on('error', () => undefined);
  const trim = options.maxLen === undefined ? [] : ['MAXLEN', '~', String(options.maxLen)];

  return {
    kind: 'redis-streams',
    target: stream,
    async deliver(command) {
      if (redis.status === 'wait') await redis.connect();
      const fields = streamFields(encodeCommand(command, options.mode ?? 'binary', 'ce-'));
      await redis.call('XADD', stream, ...trim, '*', ...fields);
    },
    async close() {
      if (redis.status === 'wait' || redis.status === 'end') return;
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
