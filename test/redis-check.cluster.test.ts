/** The startup check against a Redis Cluster: a cluster URL passes when a node it lists answers and says the cluster is ok. */
import { describe, expect, it } from 'vitest';
import { checkRedis, openRedis, RedisUnreachableError, spawnRedisServer } from '@everynode/engine';
import { redisUrl } from './support/cluster.ts';

describe('checkRedis on a Redis Cluster', () => {
  it('passes for the cluster, also when the first node listed is down', async () => {
    expect(redisUrl).toMatch(/^redis\+cluster:\/\//);
    await expect(checkRedis(redisUrl)).resolves.toBeUndefined();
    await expect(checkRedis(redisUrl.replace('redis+cluster://', 'redis+cluster://127.0.0.1:1,'))).resolves.toBeUndefined();
  });

  it('names the node and the reason when none answers, password redacted', async () => {
    const error = await checkRedis('redis+cluster://:s3cret@127.0.0.1:1', { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnreachableError);
    expect((error as Error).message).toMatch(/^cannot connect to Redis at redis\+cluster:\/\/:\*\*\*@127\.0\.0\.1:1: node 127\.0\.0\.1:1: .*ECONNREFUSED.*\(nothing listens there/);
  });

  it('tells a single Redis named as a cluster to use redis://', async () => {
    const server = await spawnRedisServer();
    const error = await checkRedis(`redis+cluster://127.0.0.1:${server.port}`).catch((e: unknown) => e);
    await server.stop();
    expect((error as Error).message).toMatch(/cluster support disabled.*\(this server is not a cluster node: use redis:\/\/ \(not redis\+cluster:\/\/\) in REDIS_URL\)$/);
  });

  it('a client for the URL is an ioredis Cluster that reaches every master', async () => {
    const redis = openRedis(redisUrl);
    try {
      expect(redis.isCluster).toBe(true);
      await redis.set('{check}:x', '1');
      expect(await redis.get('{check}:x')).toBe('1');
      await redis.del('{check}:x');
    } finally {
      await redis.quit();
    }
  });
});
