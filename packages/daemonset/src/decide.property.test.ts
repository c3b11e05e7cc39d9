/**
 * Properties over random clusters (fast-check):
 * - a pass is idempotent: applying its decisions and deciding again yields nothing;
 * - repeated passes, with agents that start pods, fail some and confirm
 *   deletions, converge to exactly one pod per qualifying node and none where
 *   a daemon pod may not stay — through node changes, removals and template updates.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DaemonSet, Node, Pod, Taint, Toleration } from '@everynode/api';
import { nodeShouldRunDaemonPod } from './eligibility.ts';
import { newDaemonSet } from './testing/fixtures.ts';
import { SimCluster } from './testing/sim.ts';

const labelKeys = ['zone', 'disk', 'role'] as const;
const labelValues = ['a', 'b'] as const;

const labelsArb = fc.dictionary(fc.constantFrom(...labelKeys), fc.constantFrom(...labelValues), { maxKeys: 3 });
const taintArb: fc.Arbitrary<Taint> = fc.record({
  key: fc.constantFrom('dedicated', 'gpu', 'node.kubernetes.io/unschedulable'),
  effect: fc.constantFrom('NoSchedule', 'NoExecute', 'PreferNoSchedule'),
});
const nodeArb = (name: string): fc.Arbitrary<Node> =>
  fc.record({
    labels: labelsArb,
    taints: fc.array(taintArb, { maxLength: 2 }),
    ready: fc.constantFrom('True', 'True', 'True', 'False', 'Unknown'),
    unschedulable: fc.boolean(),
    memoryPressure: fc.boolean(),
  }).map(({ labels, taints, ready, unschedulable, memoryPressure }) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    spec: { taints, unschedulable },
    status: {
      conditions: [
        { type: 'Ready', status: ready as 'True' | 'False' | 'Unknown' },
        { type: 'MemoryPressure', status: memoryPressure ? 'True' : 'False' },
      ],
    },
  }));

const tolerationArb: fc.Arbitrary<Toleration> = fc.oneof(
  fc.record({ key: fc.constantFrom('dedicated', 'gpu'), operator: fc.constant('Exists') }),
  fc.record({ key: fc.constantFrom('dedicated', 'gpu'), effect: fc.constantFrom('NoSchedule', 'NoExecute') }),
  fc.constant({ operator: 'Exists' }),
);

const daemonSetArb: fc.Arbitrary<DaemonSet> = fc
  .record({
    nodeSelector: fc.option(fc.dictionary(fc.constantFrom(...labelKeys), fc.constantFrom(...labelValues), { minKeys: 1, maxKeys: 1 }), { nil: undefined }),
    tolerations: fc.array(tolerationArb, { maxLength: 2 }),
    strategy: fc.constantFrom(
      { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '30%', maxSurge: 0 } },
      { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '50%' } },
    ),
    minReadySeconds: fc.constantFrom(0, 0, 5),
  })
  .map(({ nodeSelector, tolerations, strategy, minReadySeconds }) => {
    const ds = newDaemonSet('ds');
    ds.spec.template.spec = { ...ds.spec.template.spec, ...(nodeSelector ? { nodeSelector } : {}), tolerations };
    ds.spec.updateStrategy = strategy;
    ds.spec.minReadySeconds = minReadySeconds;
    return ds;
  });

const clusterArb = fc.integer({ min: 0, max: 12 }).chain((n) =>
  fc.tuple(fc.tuple(...Array.from({ length: n }, (_, i) => nodeArb(`node-${i}`))), daemonSetArb),
);

/** Agents act: start pending pods (failing some), confirm deletions; time moves on. */
function agentsAct(sim: SimCluster, failing: (pod: Pod) => boolean): void {
  for (const pod of sim.livePods()) {
    if (pod.status?.phase === 'Pending') sim.report(pod, failing(pod) ? 'Failed' : 'Running');
  }
  sim.confirmDeletions();
}

/** Run passes with acting agents until quiet; failures stop after `failFor` rounds. */
function converge(sim: SimCluster, failFor: number, seed: number): void {
  for (let round = 0; round < 400; round++) {
    const { decisions, requeueAfterMs } = sim.pass();
    const busy = sim.pods().some((p) => p.metadata.deletionTimestamp !== undefined || p.status?.phase !== 'Running');
    if (decisions.length === 0 && !busy && requeueAfterMs === undefined) return;
    let n = 0;
    agentsAct(sim, () => round < failFor && (seed + round + n++) % 3 === 0);
    sim.advance(Math.max(requeueAfterMs ?? 0, 1000));
  }
  throw new Error('did not converge');
}

function expectOnePodPerQualifyingNode(sim: SimCluster): void {
  const ds = sim.daemonSet();
  for (const [name, node] of sim.state.nodes) {
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const live = sim.livePods(name);
    if (shouldRun) expect(live, `node ${name} should run one pod: ${JSON.stringify(live.map((p) => [p.metadata.name, p.status, p.metadata.labels, p.metadata.creationTimestamp]))}`).toHaveLength(1);
    else if (!shouldContinueRunning) expect(live, `node ${name} may not keep a pod`).toHaveLength(0);
    else expect(live.length).toBeLessThanOrEqual(1);
  }
  for (const pod of sim.pods()) {
    const node = pod.spec.nodeName ?? '';
    expect(sim.state.nodes.has(node), `pod ${pod.metadata.name} on missing node ${node}`).toBe(true);
  }
  const status = ds.status;
  const desired = [...sim.state.nodes.values()].filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun).length;
  expect(status?.desiredNumberScheduled).toBe(desired);
  expect(status?.currentNumberScheduled).toBe(desired);
}

describe('properties of a pass', () => {
  it('is idempotent: applying its decisions and deciding again yields nothing', () => {
    fc.assert(
      fc.property(clusterArb, fc.integer({ min: 0, max: 1000 }), ([nodes, ds], seed) => {
        const sim = new SimCluster();
        for (const node of nodes) sim.joinNode(node);
        sim.applyDaemonSet(ds);
        for (let step = 0; step < 6; step++) {
          sim.pass();
          expect(sim.pass().decisions).toEqual([]);
          let n = 0;
          agentsAct(sim, () => (seed + step + n++) % 4 === 0);
          sim.advance(700);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('converges to exactly one pod per qualifying node, through node changes and a template update', () => {
    fc.assert(
      fc.property(
        clusterArb,
        fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        ([nodes, ds], removed, seed) => {
          const sim = new SimCluster();
          for (const node of nodes) sim.joinNode(node);
          sim.applyDaemonSet(ds);
          converge(sim, 3, seed);
          expectOnePodPerQualifyingNode(sim);

          // Nodes change: some are removed, one reverses its taints, one joins.
          for (const i of removed) if (i < nodes.length) sim.removeNode(`node-${i}`);
          const first = nodes.find((_, i) => !removed.includes(i));
          if (first) sim.updateNode({ ...first, spec: { ...first.spec, taints: [] } });
          sim.joinNode({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'late', labels: {} }, spec: {}, status: {} });
          converge(sim, 2, seed + 1);
          expectOnePodPerQualifyingNode(sim);

          // A new template rolls out to every node that runs the DaemonSet.
          const next = JSON.parse(JSON.stringify(ds)) as DaemonSet;
          next.spec.template.spec.containers = [{ name: 'main', image: 'foo/bar:v2' }];
          sim.applyDaemonSet(next);
          converge(sim, 0, seed + 2);
          expectOnePodPerQualifyingNode(sim);
          const current = sim.daemonSet();
          for (const [name, node] of sim.state.nodes) {
            if (!nodeShouldRunDaemonPod(node, current).shouldRun) continue;
            const [pod] = sim.livePods(name);
            expect(pod?.spec.containers?.[0]?.image, `node ${name} runs the new template`).toBe('foo/bar:v2');
          }
          expect(current.status?.updatedNumberScheduled).toBe(current.status?.desiredNumberScheduled);
        },
      ),
      { numRuns: 120 },
    );
  });
});

describe('partial passes', () => {
  /** A deep copy of the simulation, to run the same pass two ways. */
  function twin(sim: SimCluster): SimCluster {
    const copy = new SimCluster();
    const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
    for (const [k, v] of sim.state.nodes) copy.state.nodes.set(k, json(v));
    for (const [k, v] of sim.state.pods) copy.state.pods.set(k, json(v));
    for (const [k, v] of sim.state.versions) copy.state.versions.set(k, json(v));
    for (const [k, r] of sim.state.daemonSets) {
      copy.state.daemonSets.set(k, { ...json({ daemonSet: r.daemonSet, controller: r.controller, deleted: r.deleted }), revisions: new Map(json([...r.revisions])) });
    }
    copy.now = sim.now;
    copy.contributions = new Map(sim.contributions);
    copy.oldTotal = sim.oldTotal;
    return copy;
  }

  it('decide the same as a full pass for the nodes a node event touched', () => {
    let compared = 0;
    fc.assert(
      fc.property(clusterArb, fc.integer({ min: 0, max: 11 }), nodeArb('changed'), fc.constantFrom('join', 'update', 'remove'), ([nodes, ds], which, changed, kind) => {
        const sim = new SimCluster();
        for (const node of nodes) sim.joinNode(node);
        sim.applyDaemonSet(ds);
        converge(sim, 0, 0);
        const name = kind === 'join' || nodes.length === 0 ? 'fresh' : `node-${which % nodes.length}`;
        const node = { ...changed, metadata: { ...changed.metadata, name } };
        if (kind === 'remove') sim.removeNode(name);
        else sim.emit(kind === 'join' ? 'io.everynode.node.joined' : 'io.everynode.node.updated', node);

        const full = twin(sim).pass();
        const partial = sim.partialPass([name]);
        if (partial.fullPassNeeded && partial.decisions.length === 0) return;
        compared++;
        expect(partial.decisions).toEqual(full.decisions);
        expect(partial.requeueAfterMs).toEqual(full.requeueAfterMs);
      }),
      { numRuns: 200 },
    );
    // Most runs must really compare (a run may need a full pass: a rollout under way).
    expect(compared).toBeGreaterThan(150);
  });
});
