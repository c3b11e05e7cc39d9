/**
 * Guarantee 3 — crashes: three worker processes share a 2,000-node join
 * storm while one of them is SIGKILLed at random moments and restarted.
 * Afterwards every qualifying node has exactly one pod, no pod was commanded
 * twice for the same node and revision, and replay agrees with the live state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from './support/cluster.ts';
import { targetNodeName } from '@everynode/daemonset';
import { cloudEvent, commandsOf, destroyPrefix, eventually, fixture, redisUrl, testEngine } from './support/cluster.ts';
import { quiesce } from './support/snapshot.ts';
import { kill, startWorkerProcess, type WorkerProcess } from './support/workers.ts';

const nodes = 2000;
let client: Engine;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  client = await testEngine('crash', { workers: false });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => kill(w, 'SIGTERM')));
  await client.close();
  await destroyPrefix(client.prefix);
});

/** A seeded random number source, so a failing run can be repeated. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
}

describe('guarantee 3 — crashes', () => {
  it('survives SIGKILLed workers during a 2,000-node join storm', async () => {
    const env = { REDIS_URL: redisUrl, EVERYNODE_PREFIX: client.prefix, EVERYNODE_LOCK_MS: '1500' };
    workers = await Promise.all([0, 1, 2].map(() => startWorkerProcess(env)));
    const [ds] = fixture('fluentd-daemonset.yaml');
    await client.ingress.submit([cloudEvent('io.everynode.daemonset.applied', ds)], { wait: true });

    const rand = random(Number(process.env.CRASH_SEED ?? 42));
    let kills = 0;
    let storming = true;
    const chaos = (async () => {
      while (storming) {
        await new Promise((r) => setTimeout(r, 150 + rand() * 400));
        if (!storming) break;
        const victim = Math.floor(rand() * workers.length);
        await kill(workers[victim] as WorkerProcess);
        kills++;
        workers[victim] = await startWorkerProcess(env);
      }
    })();

    const joins = Array.from({ length: nodes }, (_, i) =>
      cloudEvent('io.everynode.node.joined', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: `node-${String(i).padStart(4, '0')}` },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      }),
    );
    // A storm of ~8 s: long enough for several kills and restarts inside it.
    for (let i = 0; i < nodes; i += 20) {
      await client.ingress.submit(joins.slice(i, i + 20));
      await new Promise((r) => setTimeout(r, 80));
    }
    await eventually(async () => (await client.reader.getDaemonSet('kube-system', 'fluentd-elasticsearch'))?.status?.currentNumberScheduled === nodes, 90_000, 'a pod on every node');
    storming = false;
    await chaos;
    await quiesce(client, 60_000, { agent: false });
    expect(kills).toBeGreaterThanOrEqual(3);

    const pods = (await client.reader.listPods('kube-system')).filter((p) => !p.metadata.deletionTimestamp);
    const perNode = new Map<string, number>();
    for (const pod of pods) perNode.set(targetNodeName(pod) ?? '?', (perNode.get(targetNodeName(pod) ?? '?') ?? 0) + 1);
    expect(perNode.size).toBe(nodes);
    expect([...perNode.values()].every((n) => n === 1)).toBe(true);

    const creates = (await commandsOf(client)).filter((c) => c.type === 'io.everynode.pod.create');
    const perNodeAndRevision = new Map<string, number>();
    for (const c of creates) {
      const hash = (c.data as { metadata: { labels: Record<string, string> } }).metadata.labels['controller-revision-hash'];
      const key = `${c.subject}/${hash}`;
      perNodeAndRevision.set(key, (perNodeAndRevision.get(key) ?? 0) + 1);
    }
    expect(creates).toHaveLength(nodes);
    expect([...perNodeAndRevision.values()].every((n) => n === 1)).toBe(true);

    const verdict = await client.history.verify();
    expect(verdict.differences).toEqual([]);
    expect(verdict.consistent).toBe(true);
  }, 180_000);
});
