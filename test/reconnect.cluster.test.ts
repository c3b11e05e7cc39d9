/**
 * A cluster client that reconnects while the cluster is down. BullMQ
 * resets a worker's blocking connection (disconnect, then `connect()`)
 * whenever a blocking read outlives its deadline, as it does after a master
 * dies. ioredis' Cluster, with its cluster-wide ready check on, answers a
 * `cluster_state:fail` by reconnecting and never settles the `connect()`
 * it was asked for: the worker then waits on it for ever, and no job of its
 * queue runs again (seen in failovers: passes stopped until the worker was
 * replaced). The clients `openRedis` makes skip that check: `connect()`
 * settles once the slot map is read, and a command for a slot without a
 * master waits until one serves it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { openRedis } from '@everynode/engine';
import { eventually } from './support/cluster.ts';
import { clusterStateOf, type LocalRedisCluster, masterAddressOf, replicaPortsOf, startRedisCluster } from './support/redis-cluster.ts';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  cleanup = [];
});

/** A private cluster whose `down()` kills the master serving `key` and its replicas: the cluster is down until `revive()`. */
async function clusterToBreak(key: string): Promise<{ rc: LocalRedisCluster; client: Cluster; down: () => Promise<void>; revive: () => Promise<void> }> {
  const rc = await startRedisCluster({ nodeTimeoutMs: 1000 });
  cleanup.push(() => rc.stop());
  const client = openRedis(rc.url) as Cluster;
  cleanup.push(async () => void client.disconnect());
  await client.set(key, 'before');
  // AOF everysec: give the write its fsync before the crash.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const master = await masterAddressOf(client, key);
  const masterPort = Number(master.split(':')[1]);
  const victims = [masterPort, ...(await replicaPortsOf(masterPort, master))].map((port) => rc.node(port));
  expect(victims.length).toBe(2);
  const witness = rc.nodes.find((n) => !victims.includes(n)) as (typeof rc.nodes)[number];
  const down = async () => {
    for (const victim of victims) victim.kill();
    await eventually(async () => (await clusterStateOf(witness.port)) === 'fail', 15_000, 'the cluster to report cluster_state:fail');
  };
  return { rc, client, down, revive: async () => void (await Promise.all(victims.map((v) => v.restart()))) };
}

function settles(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([promise.then(() => true, () => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
}

describe('a cluster client reconnecting while the cluster is down', () => {
  it('connect() settles, and a read of the dead slot waits until it is served again', async () => {
    const { client, down, revive } = await clusterToBreak('{down}:k');
    await down();
    await new Promise((resolve) => {
      client.once('end', resolve);
      client.disconnect();
    });
    const connecting = client.connect();
    expect(await settles(connecting, 10_000)).toBe(true);
    await connecting;
    const read = client.get('{down}:k');
    expect(await settles(read, 1500)).toBe(false);
    await revive();
    expect(await read).toBe('before');
  }, 90_000);

});
