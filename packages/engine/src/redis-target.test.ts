import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact.ts';
import { clusterOptions } from './redis-client.ts';
import { clusterTarget, isClusterUrl, joinRedisUrls } from './redis-target.ts';

describe('cluster URLs', () => {
  it('lists the nodes, with their credentials and TLS shared', () => {
    expect(clusterTarget('redis+cluster://127.0.0.1:7000,127.0.0.1:7001')).toEqual({
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: '127.0.0.1', port: 7001 },
      ],
      nodeOptions: {},
    });
    expect(clusterTarget('rediss+cluster://app:p%40ss@cache-a:6380,[::1]:6381,cache-c/0')).toEqual({
      nodes: [
        { host: 'cache-a', port: 6380 },
        { host: '::1', port: 6381 },
        { host: 'cache-c', port: 6379 },
      ],
      nodeOptions: { username: 'app', password: 'p@ss', tls: {} },
    });
  });

  it('refuses what is not a cluster URL, naming the reason and never the password', () => {
    expect(() => clusterTarget('redis+cluster://:s3cret@a:1,b:x')).toThrow('redis URL redis+cluster://:***@a:1,b:x: node "b:x" is not host:port');
    expect(() => clusterTarget('redis+cluster://:s3cret@a:1/2')).toThrow('redis URL redis+cluster://:***@a:1/2: a Redis Cluster has only database 0, not 2');
    expect(() => clusterTarget('redis+cluster://a:99999')).toThrow('node "a:99999" has no valid port (1-65535)');
    expect(() => clusterTarget('redis+cluster://')).toThrow(/expected redis\+cluster:\/\/\[\[user\]:password@\]host:port/);
  });

  it('is told apart from a single server URL', () => {
    expect(isClusterUrl('redis+cluster://a:1')).toBe(true);
    expect(isClusterUrl('rediss+cluster://a:1')).toBe(true);
    expect(isClusterUrl('redis://a:1')).toBe(false);
  });

  it('has its password redacted in logs and errors', () => {
    expect(redactUrl('redis+cluster://:s3cret@a:1,b:2')).toBe('redis+cluster://:***@a:1,b:2');
    expect(redactUrl('rediss+cluster://app:s3:cr/et@a:1,b:2')).toBe('rediss+cluster://app:***@a:1,b:2');
    expect(redactUrl('redis+cluster://a:1,b:2')).toBe('redis+cluster://a:1,b:2');
  });

  it('gives a Cluster BullMQ can block on: maxRetriesPerRequest null, the ready check on every node connection, none cluster-wide', () => {
    const { nodes, options } = clusterOptions('redis+cluster://:pw@a:1,b:2');
    expect(nodes).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ]);
    expect(options.redisOptions).toMatchObject({ password: 'pw', maxRetriesPerRequest: null, enableReadyCheck: true });
    // The cluster-wide check would leave a connect() during cluster_state:fail unsettled for ever (test/reconnect.cluster.test.ts).
    expect(options.enableReadyCheck).toBe(false);
    expect(options.natMap).toBeUndefined();
  });
});

describe('repeated --redis', () => {
  it('one value is itself; several are the nodes of one cluster', () => {
    expect(joinRedisUrls(['redis://a:1'])).toBe('redis://a:1');
    expect(joinRedisUrls(['redis://:pw@a:7000', 'redis://:pw@b:7001'])).toBe('redis+cluster://:pw@a:7000,b:7001');
    expect(joinRedisUrls(['rediss://a', 'rediss://b:7001'])).toBe('rediss+cluster://a:6379,b:7001');
  });

  it('refuses nodes that disagree', () => {
    expect(() => joinRedisUrls(['redis://a:1', 'rediss://b:2'])).toThrow('--redis: the nodes of one cluster must all use redis:// or all rediss://');
    expect(() => joinRedisUrls(['redis://:x@a:1', 'redis://:y@b:2'])).toThrow('--redis: the nodes of one cluster must all have the same credentials');
    expect(() => joinRedisUrls(['redis+cluster://a:1', 'redis://b:2'])).toThrow('a cluster URL cannot be combined with other --redis values');
  });
});
