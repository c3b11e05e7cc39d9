/**
 * The guarantees of docs/architecture.md against a real Redis: duplicates, reordering,
 * replay and poison. (Crashes: crash.int.test.ts; the seed through the CLI:
 * e2e/seed.e2e.test.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from './support/cluster.ts';
import { targetNodeName } from '@everynode/daemonset';
import type { Agent } from '@everynode/agent';
import { cloudEvent, commandsOf, destroyPrefix, eventually, fixture, testAgent, testEngine } from './support/cluster.ts';
import { quiesce, snapshot } from './support/snapshot.ts';
import { shuffled } from './support/random.ts';

const engines: Engine[] = [];
const agents: Agent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
  for (const engine of engines.splice(0)) {
    await engine.close();
    await destroyPrefix(engine.prefix);
  }
});
/** An engine with its simulated agent, so pods start and deletions are confirmed. */
async function engine(name: string): Promise<Engine> {
  const e = await testEngine(name);
  engines.push(e);
  agents.push(await testAgent(e));
  return e;
}

/** Deliver events as BullMQ jobs one by one (each job one CloudEvent), as a producer would. */
async function deliver(target: Engine, events: readonly unknown[]): Promise<void> {
  await target.queues.events.addBulk(events.map((data) => ({ name: 'event', data })));
}

const t0 = Date.parse('2026-05-01T00:00:00Z');
const worker = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  spec: {},
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});

/** A history of node joins, updates and removals with distinct times, plus the seed's DaemonSet. */
function nodeHistory(): object[] {
  const events: object[] = [cloudEvent('io.everynode.daemonset.applied', fixture('fluentd-daemonset.yaml')[0], { id: 'ds', time: t0 })];
  for (let i = 0; i < 12; i++) events.push(cloudEvent('io.everynode.node.joined', worker(`n${i}`), { id: `join-${i}`, time: t0 + 1000 + i }));
  for (let i = 0; i < 12; i += 3) {
    events.push(cloudEvent('io.everynode.node.updated', { ...worker(`n${i}`), spec: { taints: [{ key: 'gpu', effect: 'NoExecute' }] } }, { id: `taint-${i}`, time: t0 + 2000 + i }));
  }
  for (let i = 1; i < 12; i += 4) events.push(cloudEvent('io.everynode.node.removed', { metadata: { name: `n${i}` } }, { id: `remove-${i}`, time: t0 + 3000 + i }));
  events.push(cloudEvent('io.everynode.node.updated', worker('n0', { zone: 'b' }), { id: 'untaint-0', time: t0 + 4000 }));
  return events;
}

describe('guarantee 1 — duplicates', () => {
  it('every event delivered two or three times gives the same log, state and commands as delivering each once', async () => {
    const [once, many] = await Promise.all([engine('dup-once'), engine('dup-many')]);
    const history = nodeHistory();
    // In phases (joins, taints, removals), so which commands are due does not depend on timing.
    const phases = [history.slice(0, 13), history.slice(13, 17), history.slice(17)];
    for (const phase of phases) {
      await deliver(once, phase);
      await deliver(many, phase.flatMap((e, i) => (i % 2 === 0 ? [e, e] : [e, e, e])));
      await Promise.all([quiesce(once), quiesce(many)]);
    }
    const [a, b] = await Promise.all([snapshot(once), snapshot(many)]);
    expect(b).toEqual(a);
    expect(a.events).toHaveLength(history.length);
    const [ca, cb] = await Promise.all([commandsOf(once), commandsOf(many)]);
    expect(new Set(cb.map((c) => c.id)).size).toBe(cb.length);
    const shape = (cs: typeof ca) => cs.map((c) => `${c.type} ${c.subject}`).sort();
    expect(shape(cb)).toEqual(shape(ca));
  });
});

describe('guarantee 2 — reordering', () => {
  it('shuffled delivery of node joins, updates and removals gives the same final state as in order', async () => {
    const history = nodeHistory();
    const inOrder = await engine('order-a');
    for (const e of history) await deliver(inOrder, [e]);
    await quiesce(inOrder);
    const expected = await snapshot(inOrder);
    expect(Object.keys(expected.nodes)).not.toContain('n1');
    for (const seed of [1, 2]) {
      const shuffledEngine = await engine(`order-${seed}`);
      await deliver(shuffledEngine, shuffled(history, seed));
      await quiesce(shuffledEngine);
      expect(await snapshot(shuffledEngine)).toEqual(expected);
    }
  });

  it('shuffled pod status reports end in the newest one', async () => {
    const e = await engine('order-pods');
    await deliver(e, [cloudEvent('io.everynode.node.joined', worker('n0'), { time: t0 }), cloudEvent('io.everynode.daemonset.applied', fixture('fluentd-daemonset.yaml')[0], { time: t0 })]);
    const [pod] = await eventually(async () => {
      const pods = await e.reader.listPods('kube-system');
      return pods.length === 1 && pods;
    });
    const phases = ['Pending', 'Running', 'Running', 'Failed'];
    const reports = phases.map((phase, i) =>
      cloudEvent('io.everynode.pod.status', { ...pod, spec: { ...pod!.spec, nodeName: 'n0' }, status: { phase, conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }] } }, {
        time: Date.now() + 1000 * (i + 1),
      }),
    );
    await deliver(e, shuffled(reports, 7));
    await quiesce(e);
    const log = await e.history.readLog({ limit: 1000 });
    expect(log.filter((x) => x.kind === 'event' && x.event.type === 'io.everynode.pod.status' && x.event.source === 'test')).toHaveLength(4);
    // The newest report said Failed: the pod was killed (after its backoff) and replaced.
    expect(log.some((x) => x.kind === 'pass' && x.decisions.some((d) => d.type === 'PodDeleteRequested' && d.reason === 'Failed'))).toBe(true);
  });
});

describe('guarantee 4 — replay', () => {
  it('the projection rebuilt from the log alone is identical to the live one', async () => {
    const e = await engine('replay');
    await deliver(e, nodeHistory());
    await quiesce(e);
    const pods = await e.reader.listPods('kube-system');
    await deliver(
      e,
      pods.map((p) => cloudEvent('io.everynode.pod.status', { ...p, spec: { ...p.spec, nodeName: targetNodeName(p) }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } })),
    );
    await quiesce(e);
    const result = await e.history.verify();
    expect(result.differences).toEqual([]);
    expect(result.consistent).toBe(true);
    expect(result.seq).toBeGreaterThan(20);
  });
});

describe('guarantee 5 — poison', () => {
  it('a malformed event lands in the dead-letter queue with its reason; the events behind it are processed', async () => {
    const e = await engine('poison');
    await deliver(e, [
      { specversion: '1.0', id: 'bad-1', source: 'test', type: 'io.everynode.node.joined', time: 'yesterday', data: { metadata: {} } },
      'not even an object',
      cloudEvent('io.everynode.node.joined', worker('after-1')),
      cloudEvent('io.everynode.node.joined', worker('after-2')),
    ]);
    await eventually(async () => (await e.reader.listNodes()).length === 2, 10_000, 'the events behind the poison');
    const dead = await eventually(async () => {
      const jobs = await e.queues.deadLetter.getJobs(['waiting'], 0, -1);
      return jobs.length === 2 && jobs;
    });
    const reasons = dead.map((j) => String(j.data.reason)).sort();
    expect(reasons.some((r) => r.includes('time'))).toBe(true);
    expect(reasons.some((r) => r.includes('metadata.name'))).toBe(true);
    expect((await e.history.readLog()).every((x) => x.kind !== 'event' || x.event.id !== 'bad-1')).toBe(true);
  });
});
