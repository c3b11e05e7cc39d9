/** The outbound contract over Redis Streams: a stream per test on the shared Redis, read with XREAD, deleted after. */
import { Redis } from 'ioredis';
import { redisUrl } from '../../../../test/support/cluster.ts';
import { describeOutboundContract } from '../outbound-contract.ts';
import { toMessage } from '../sources/redis-streams.ts';
import { redisStreamsSink } from './redis-streams.ts';

type Entry = [id: Buffer, fields: Buffer[]];

describeOutboundContract<{ readonly stream: string }>('redis-streams', {
  async setup(name) {
    return { stream: `test-sink-${process.pid}-${name}` };
  },
  makeSink: (ctx, mode) => redisStreamsSink({ url: redisUrl, stream: ctx.stream, mode }),
  async subscribe(ctx, onMessage) {
    const reader = new Redis(redisUrl, { maxRetriesPerRequest: null });
    let stopping = false;
    const loop = (async () => {
      let after = '0-0';
      while (!stopping) {
        const read = (await reader.callBuffer('XREAD', 'COUNT', 100, 'BLOCK', 100, 'STREAMS', ctx.stream, after).catch(() => null)) as [Buffer, Entry[]][] | null;
        for (const [id, fields] of read?.[0]?.[1] ?? []) {
          after = id.toString();
          // The fields as the Redis Streams source maps them: `data` the body, the rest headers.
          const { body, headers } = toMessage(ctx.stream, after, fields);
          onMessage({ body, headers });
        }
      }
    })();
    return async () => {
      stopping = true;
      await loop;
      reader.disconnect();
    };
  },
  async teardown(ctx) {
    const redis = new Redis(redisUrl);
    await redis.del(ctx.stream);
    redis.disconnect();
  },
});
