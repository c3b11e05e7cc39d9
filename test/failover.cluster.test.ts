/**
 * Failover on a real Redis Cluster: during a node-join storm, the master that
 * holds the cluster's slot is SIGKILLed. Its replica is promoted, the engine
 * (queues, workers, outbox, ingress) reconnects by itself and accepts
 * events again, the DaemonSet reaches a pod on every node in the log, and
 * verify (replay of the whole log against the projection) is clean. The
 * workers fetch again by themselves: before the clients skipped ioredis'
 * cluster-wide ready check, a BullMQ worker whose blocking connection was
 * reset while the cluster reported `fail` waited for ever, in the runs
 * where that reset fell in the 1–2 s before the promotion (this test does
 * not force it; test/reconnect.cluster.test.ts does, every time); here
 * passes must resume within 20 s of the storm's end, with nothing
 * replacing a worker. Measured: the time from
 * the kill to the first event acknowledged after it, and the acknowledged
 * events the log lost — without `WAIT` (asynchronous replication may lose
 * the last moments' acknowledgements) and with EVERYNODE_WAIT_REPLICAS=1
 * (none may be lost; with one replica per master, writes are refused until
 * the killed node is back as the new master's replica). The figures are
 * printed, and the README's "Scaling" section quotes them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startEngine, type EngineInternals } from '@everynode/engine/internal';
import { openRedis } from '@everynode/engine';
import type { Cluster } from 'ioredis';
import { cloudEvent, eventually, fixture, quietLogger, uniquePrefix } from './support/cluster.ts';
import { type LocalRedisCluster, masterAddressOf, masterOfSlot, startRedisCluster } from './support/redis-cluster.ts';

interface Outcome {
  acknowledged: number;
  lost: number;
  failed: number;
  recoveryMs: number;
  promotedMs: number;
  caughtUpMs: number;
  nodes: number;
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  cleanup = [];
});

async function stormThroughFailover(waitReplicas: number): Promise<Outcome> {
  const rc: LocalRedisCluster = await startRedisCluster({ nodeTimeoutMs: 1000 });
  const prefix = uniquePrefix('failover');
  const engine: EngineInternals = await startEngine({ redisUrl: rc.url, prefix, logger: quietLogger, sweepEveryMs: 1000, lockDurationMs: 2000, waitReplicas, waitReplicasTimeoutMs: 500 });
  // The cluster goes first: the engine then finds Redis gone and cuts its connections instead of waiting on a stuck worker.
  cleanup.push(async () => {
    await rc.stop();
    await Promise.race([engine.close(), new Promise((r) => setTimeout(r, 10_000))]);
  });
  const redis = openRedis(rc.url) as Cluster;
  cleanup.push(async () => void redis.disconnect());
  const master = await masterAddressOf(redis, `{${prefix}}`);
  const slot = Number(await redis.cluster('KEYSLOT', `{${prefix}}`));
  const victim = rc.node(Number(master.split(':')[1]));
  const witness = rc.nodes.find((n) => n !== victim) as (typeof rc.nodes)[number];

  const [ds] = fixture('fluentd-daemonset.yaml');
  await engine.ingress.submit([cloudEvent('io.everynode.daemonset.applied', ds)], { wait: true });

  const acknowledged: { id: string; source: string; sent: number; at: number }[] = [];
  let failed = 0;
  let next = 0;
  let storming = true;
  const producer = async () => {
    while (storming) {
      const n = next++;
      const event = cloudEvent('io.everynode.node.joined', { apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${n}` }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { id: `join-${n}` });
      try {
        const sent = Date.now();
        const result = await engine.ingress.submit([event], { wait: true, timeoutMs: 5000 });
        if (result.accepted.length === 1) acknowledged.push({ id: event.id, source: event.source, sent, at: Date.now() });
      } catch {
        // Not acknowledged (a 503 to an HTTP client, who would retry): not counted as lost if missing.
        failed++;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const producers = Array.from({ length: 4 }, producer);

  await eventually(async () => acknowledged.length >= 200, 20_000, '200 acknowledged joins before the kill');
  const killedAt = Date.now();
  victim.kill();
  await eventually(async () => !victim.alive(), 5000, 'the master to die');
  // With WAIT 1, the promoted replica has no replica of its own until the killed node is back: bring it back once promoted.
  await eventually(async () => {
    const now = await masterOfSlot(witness.port, slot);
    return now !== undefined && now !== master;
  }, 30_000, 'the replica to be promoted');
  const promotedMs = Date.now() - killedAt;
  await victim.restart();
  await eventually(async () => acknowledged.filter((a) => a.sent > killedAt).length >= 50, 60_000, '50 joins sent after the kill acknowledged');
  storming = false;
  await Promise.all(producers);
  // From the kill to the first acknowledgement of a join sent after it (one sent before may be answered just after).
  const recoveryMs = Math.min(...acknowledged.filter((a) => a.sent > killedAt).map((a) => a.at)) - killedAt;

  const seqs = await engine.store.seqsOf(acknowledged);
  const lost = seqs.filter((s) => s === undefined).length;
  const names = new Set((await engine.reader.listNodes()).map((node) => node.metadata.name));
  const nodes = names.size;
  // Every acknowledged join that survived is a node of the projection (a refused request's join may be there too: a 503 is not a promise of absence).
  const survivors = acknowledged.filter((_, i) => seqs[i] !== undefined);
  expect(survivors.filter((a) => !names.has(`node-${a.id.slice('join-'.length)}`))).toEqual([]);
  // Passes resume by themselves: the workers fetch again after the failover.
  await eventually(async () => (await engine.reader.getDaemonSet('kube-system', 'fluentd-elasticsearch'))?.status?.currentNumberScheduled === nodes, 20_000, 'a pod on every node in the log');
  const caughtUpMs = Date.now() - killedAt;
  const verdict = await engine.history.verify();
  expect(verdict.differences).toEqual([]);
  expect(verdict.consistent).toBe(true);
  return { acknowledged: acknowledged.length, lost, failed, recoveryMs, promotedMs, caughtUpMs, nodes };
}

function report(label: string, o: Outcome): void {
  console.info(`failover ${label}: ${o.acknowledged} joins acknowledged, ${o.lost} of them lost, ${o.failed} requests failed (503), replica promoted ${o.promotedMs} ms and first acknowledgement ${o.recoveryMs} ms after the kill; ${o.nodes} nodes in the log, a pod on each ${o.caughtUpMs} ms after the kill`);
}

describe('failover: SIGKILL of the master holding a cluster slot during a node storm', () => {
  it('without WAIT: the replica takes over, everything reconnects, verify is clean; acknowledged events lost are counted', async () => {
    const outcome = await stormThroughFailover(0);
    report('without WAIT', outcome);
    expect(outcome.recoveryMs).toBeLessThan(30_000);
    // Asynchronous replication: what was lost is measured, not promised; a lost join would be missing from the projection too (verify is clean).
    expect(outcome.lost).toBeLessThanOrEqual(outcome.acknowledged);
  }, 120_000);

  it('with EVERYNODE_WAIT_REPLICAS=1: no acknowledged event is lost', async () => {
    const outcome = await stormThroughFailover(1);
    report('with WAIT 1', outcome);
    expect(outcome.lost).toBe(0);
    expect(outcome.recoveryMs).toBeLessThan(60_000);
  }, 150_000);
});
