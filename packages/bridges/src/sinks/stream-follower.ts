/**
 * Test support: a consumer of a Redis stream for the sink tests — XREAD
 * from the start, each entry mapped as the Redis Streams source maps it
 * (`data` the body, the other fields headers); resolves to its stop.
 * Reading on from the last id, it misses nothing across a server restart
 * that keeps the stream (AOF).
 */
import type { RedisClient } from '@everynode/engine';
import type { ReceivedMessage } from '../outbound-contract.ts';
import { toMessage } from '../sources/redis-streams.ts';

type Entry = [id: Buffer, fields: Buffer[]];

export function followStream(reader: RedisClient, stream: string, onMessage: (message: ReceivedMessage) => void): () => Promise<void> {
  let stopping = false;
  const loop = (async () => {
    let after = '0-0';
    while (!stopping) {
      const read = (await reader.callBuffer('XREAD', 'COUNT', 100, 'BLOCK', 100, 'STREAMS', stream, after).catch(() => null)) as [Buffer, Entry[]][] | null;
      for (const [id, fields] of read?.[0]?.[1] ?? []) {
        after = id.toString();
        const { body, headers } = toMessage(stream, after, fields);
        onMessage({ body, headers });
      }
    }
  })();
  return async () => {
    stopping = true;
    await loop;
  };
}
