/** The outbound contract over Redis Streams: a stream per test on the shared Redis (or the Redis Cluster, in that project), read with XREAD, deleted after. */
import { openRedis } from '@everynode/engine';
import { redisUrl } from '../../../../test/support/cluster.ts';
import { describeOutboundContract } from '../outbound-contract.ts';
import { redisStreamsSink } from './redis-streams.ts';
import { followStream } from './stream-follower.ts';

describeOutboundContract<{ readonly stream: string }>('redis-streams', {
  async setup(name) {
    return { stream: `test-sink-${process.pid}-${name}` };
  },
  makeSink: (ctx, mode) => redisStreamsSink({ url: redisUrl, stream: ctx.stream, mode }),
  async subscribe(ctx, onMessage) {
    const reader = openRedis(redisUrl);
    const stop = followStream(reader, ctx.stream, onMessage);
    return async () => {
      await stop();
      reader.disconnect();
    };
  },
  async teardown(ctx) {
    const redis = openRedis(redisUrl);
    await redis.del(ctx.stream);
    redis.disconnect();
  },
});
