import { openRedis } from '@everynode/engine';
import { afterAll } from 'vitest';
import { quietLogger, redisUrl } from '../../../../test/support/cluster.ts';
import { describeInboundContract } from '../inbound-contract.ts';
import { RedisStreamsSource } from './redis-streams.ts';

// The shared Redis, or the Redis Cluster in that vitest project.
const producer = openRedis(redisUrl);
afterAll(async () => {
  await producer.quit();
});

describeInboundContract<{ stream: string; group: string }>('redis-streams', {
  bus: 'redis-streams',
  async setup(name) {
    return { stream: `test-bridge-${process.pid}-${name}`, group: 'everynode' };
  },
  makeSource(ctx, { maxInFlight, redeliveryMs }) {
    return new RedisStreamsSource({ url: redisUrl, stream: ctx.stream, group: ctx.group, maxInFlight, claimIdleMs: redeliveryMs, blockMs: 200, logger: quietLogger });
  },
  async publish(ctx, message) {
    const fields: (string | Buffer)[] = [];
    for (const [k, v] of Object.entries(message.headers)) fields.push(k, v);
    fields.push('data', Buffer.from(message.body));
    await producer.xadd(ctx.stream, '*', ...fields);
  },
  processConfig(ctx) {
    return { yaml: `bridges:\n  - { name: contract, kind: redis-streams, url: "${redisUrl}", stream: ${ctx.stream}, group: ${ctx.group}, maxInFlight: 8, ackWaitMs: 1000 }\n` };
  },
  async teardown(ctx) {
    await producer.del(ctx.stream);
  },
});
