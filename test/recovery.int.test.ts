/**
 * Recovery in seconds: a worker process SIGKILLed in the middle of a pass
 * leaves that pass's job locked to a dead process. With the engine's lock
 * (4 s, renewed every 2 s) and a stalled check every second, a restarted
 * worker takes the pass over within seconds; with BullMQ's defaults (30 s
 * lock, 30 s check) the DaemonSet waited up to a minute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from './support/cluster.ts';
import { cloudEvent, destroyPrefix, eventually, fixture, redisUrl, testEngine } from './support/cluster.ts';
import { kill, startWorkerProcess, type WorkerProcess } from './support/workers.ts';

const nodes = 1500;
let client: Engine;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  client = await testEngine('recovery', { workers: false });
});
afterAll(async () => {
  if (worker) await kill(worker, 'SIGTERM');
  await client.close();
  await destroyPrefix(client.prefix);
});

const join = (i: number) =>
  cloudEvent('io.everynode.node.joined', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `node-${String(i).padStart(4, '0')}` },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  });

const scheduled = async () => (await client.reader.getDaemonSet('kube-system', 'fluentd-elasticsearch'))?.status?.desiredNumberScheduled ?? 0;

describe('recovery after a worker is killed mid-pass', () => {
  it('a restarted worker runs the dead worker\'s pass within seconds', async () => {
    const env = { REDIS_URL: redisUrl, EVERYNODE_PREFIX: client.prefix };
    worker = await startWorkerProcess(env);
    const [ds] = fixture('fluentd-daemonset.yaml');
    await client.ingress.submit([cloudEvent('io.everynode.daemonset.applied', ds)], { wait: true });

    // Joins in batches until a pass is caught running; then the worker dies under it.
    let sent = 0;
    let caught = false;
    while (!caught && sent < nodes) {
      await client.ingress.submit(Array.from({ length: 100 }, (_, i) => join(sent + i)));
      sent += 100;
      for (let probe = 0; probe < 50 && !caught; probe++) {
        caught = (await client.queues.reconcile.getActiveCount()) > 0;
        if (!caught) await new Promise((r) => setTimeout(r, 2));
      }
    }
    expect(caught, 'a pass was running when the worker was killed').toBe(true);
    await kill(worker);
    worker = undefined;
    expect(await client.queues.reconcile.getActiveCount()).toBeGreaterThan(0); // the dead worker's pass, still locked to it

    const restarted = Date.now();
    worker = await startWorkerProcess(env);
    await eventually(async () => (await scheduled()) === sent, 60_000, `a pod wanted on all ${sent} nodes`);
    const seconds = (Date.now() - restarted) / 1000;
    console.log(`recovery: ${seconds.toFixed(1)} s from the worker's restart to a pass over all ${sent} nodes`);
    // The lock (4 s) plus a stalled check (1 s) plus the pass; BullMQ's defaults took 30–60 s.
    expect(seconds).toBeLessThan(15);
  }, 120_000);
});
