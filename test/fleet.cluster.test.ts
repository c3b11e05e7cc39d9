/**
 * One worker fleet for many clusters, on a real Redis Cluster: 20 everynode
 * clusters (prefixes) whose hash tags fall on all three masters, served by
 * three worker processes started with `EVERYNODE_PREFIXES=*` — half the
 * prefixes registered before they start, half after (found by discovery).
 * Each cluster reaches one pod per node; each cluster's keys sit on the
 * master its slot says; every process served every cluster; replay agrees
 * with the live state everywhere.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { targetNodeName } from '@everynode/daemonset';
import { openRedis, registerPrefix, type RedisClient } from '@everynode/engine';
import { isCluster } from '@everynode/eventlog';
import type { Cluster } from 'ioredis';
import { cloudEvent, destroyPrefix, type Engine, eventually, fixture, redisUrl, testEngine, uniquePrefix } from './support/cluster.ts';
import { masterAddresses, masterAddressOf, nodeConnection } from './support/redis-cluster.ts';
import { kill, startWorkerProcess, type WorkerProcess } from './support/workers.ts';

const clusters = 20;
const nodesPerCluster = 5;
const registry = `test-fleet-registry-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
let redis: RedisClient | undefined;
let workers: WorkerProcess[] = [];
const clients: Engine[] = [];

afterAll(async () => {
  await Promise.all(workers.map((w) => kill(w, 'SIGTERM')));
  await Promise.all(clients.map(async (c) => (await c.close(), await destroyPrefix(c.prefix))));
  await redis?.del(registry);
  await redis?.quit();
});

/** `count` prefixes, the i-th of which hashes to master i mod 3: the spread is made, then checked where the data lands. */
async function prefixesOnEveryMaster(cluster: Cluster, count: number): Promise<{ prefix: string; master: string }[]> {
  const masters = await masterAddresses(cluster);
  const chosen = [];
  for (let i = 0; chosen.length < count; ) {
    const prefix = uniquePrefix(`fleet${chosen.length}`);
    const master = await masterAddressOf(cluster, `{${prefix}}`);
    if (master === masters[i % masters.length]) {
      chosen.push({ prefix, master });
      i++;
    }
  }
  return chosen;
}

describe('one worker fleet for many clusters, on a Redis Cluster', () => {
  it('20 clusters over three masters, three worker processes serving all of them: one pod per node everywhere', async () => {
    expect(redisUrl).toMatch(/^redis\+cluster:\/\//);
    const client = openRedis(redisUrl);
    redis = client;
    if (!isCluster(client)) throw new Error('REDIS_URL is not a Redis Cluster');
    expect(await masterAddresses(client)).toHaveLength(3);
    const prefixes = await prefixesOnEveryMaster(client, clusters);

    const early = prefixes.slice(0, clusters / 2);
    const late = prefixes.slice(clusters / 2);
    for (const { prefix } of early) await registerPrefix(redis, prefix, registry);
    const env = { REDIS_URL: redisUrl, EVERYNODE_PREFIXES: '*', EVERYNODE_REGISTRY_KEY: registry, EVERYNODE_DISCOVER_EVERY_MS: '300', LOG_LEVEL: 'info' };
    workers = await Promise.all([0, 1, 2].map(() => startWorkerProcess(env, { captureStderr: true })));
    for (const { prefix } of late) await registerPrefix(redis, prefix, registry);

    const [ds] = fixture('fluentd-daemonset.yaml');
    for (const { prefix } of prefixes) clients.push(await testEngine('fleet', { workers: false, prefix }));
    await Promise.all(
      clients.map(async (client) => {
        const joins = Array.from({ length: nodesPerCluster }, (_, i) =>
          cloudEvent('io.everynode.node.joined', { apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}` }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
        );
        await client.ingress.submit([cloudEvent('io.everynode.daemonset.applied', ds), ...joins], { wait: true });
      }),
    );

    for (const client of clients) {
      await eventually(async () => (await client.reader.getDaemonSet('kube-system', 'fluentd-elasticsearch'))?.status?.currentNumberScheduled === nodesPerCluster, 60_000, `a pod on every node of ${client.prefix}`);
      const pods = (await client.reader.listPods('kube-system')).filter((p) => !p.metadata.deletionTimestamp);
      expect(pods.map((p) => targetNodeName(p)).sort()).toEqual(Array.from({ length: nodesPerCluster }, (_, i) => `node-${i}`));
      const verdict = await client.history.verify();
      expect(verdict.differences).toEqual([]);
    }

    // Each cluster's log is on the master its slot names, and the three masters all hold some.
    const holders = new Set<string>();
    for (const { prefix, master } of prefixes) {
      const node = nodeConnection(master);
      try {
        expect(await node.exists(`{${prefix}}:log`)).toBe(1);
        holders.add(master);
      } finally {
        node.disconnect();
      }
    }
    expect(holders.size).toBe(3);

    // Every process served every cluster: the ten registered late were found by discovery.
    for (const worker of workers) {
      const served = new Set([...worker.stderr().matchAll(/"prefix":"([^"]+)"[^\n]*"msg":"serving cluster"/g)].map((m) => m[1]));
      expect([...served].sort()).toEqual(prefixes.map((p) => p.prefix).sort());
    }
  }, 120_000);
});
