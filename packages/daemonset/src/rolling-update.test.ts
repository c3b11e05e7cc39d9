/**
 * RollingUpdate and OnDelete through whole passes — specs named after
 * pkg/controller/daemon/update_test.go.
 */
import { describe, expect, it } from 'vitest';
import { type DaemonSet, type IntOrString, type Pod, TemplateGenerationAnnotation } from '@everynode/api';
import { isPodUpdated } from './history.ts';
import { newDaemonPod } from './new-pod.ts';
import { isPodAvailable } from './pod-util.ts';
import { nodeToDaemonPods } from './pods-by-node.ts';
import { rollingUpdate } from './rolling-update.ts';
import { type Decision, emptyControllerRecord, type PassContext } from './state.ts';
import { newDaemonSet, newNode } from './testing/fixtures.ts';
import { SimCluster } from './testing/sim.ts';

function daemonSet(strategy: { maxUnavailable?: IntOrString; maxSurge?: IntOrString } | 'OnDelete', image = 'foo/bar'): DaemonSet {
  const ds = newDaemonSet('ds');
  ds.spec.updateStrategy =
    strategy === 'OnDelete' ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0, ...strategy } };
  ds.spec.template.spec.containers = [{ name: 'main', image }];
  return ds;
}

function settledCluster(nodes: number, ds: DaemonSet): SimCluster {
  const sim = new SimCluster();
  for (let i = 0; i < nodes; i++) sim.joinNode(newNode(`node-${i}`));
  sim.applyDaemonSet(ds);
  sim.settle();
  return sim;
}

const deletesIn = (ds: readonly Decision[]) => ds.filter((d) => d.type === 'PodDeleteRequested').length;
const createsIn = (ds: readonly Decision[]) => ds.filter((d) => d.type === 'PodCreateRequested').length;

/** Nodes whose DaemonSet pod is (not) available right now. */
function unavailableNodes(sim: SimCluster, nodes: number): number {
  let unavailable = 0;
  for (let i = 0; i < nodes; i++) {
    const available = sim.livePods(`node-${i}`).some((p) => isPodAvailable(p, sim.daemonSet().spec.minReadySeconds ?? 0, sim.now));
    if (!available) unavailable++;
  }
  return unavailable;
}

function currentHash(sim: SimCluster): string {
  const pod = sim.history.filter((d) => d.type === 'PodCreateRequested').at(-1);
  return pod?.type === 'PodCreateRequested' ? (pod.pod.metadata.labels?.['controller-revision-hash'] ?? '') : '';
}

/** Roll out `next` with the agents confirming and starting pods between passes; checks `invariant` at each step. */
function rollOut(sim: SimCluster, next: DaemonSet, invariant: () => void, stepMs = 1000): number {
  sim.applyDaemonSet(next);
  for (let step = 1; step <= 200; step++) {
    const { decisions } = sim.pass();
    invariant();
    sim.confirmDeletions();
    invariant();
    sim.startAll();
    sim.advance(stepMs);
    const ds = sim.daemonSet();
    if (decisions.length === 0 && ds.status?.updatedNumberScheduled === ds.status?.desiredNumberScheduled && unavailableNodes(sim, 1) === 0) {
      const allUpdated = sim.livePods().every((p) => isPodUpdated(p, currentHash(sim), ds));
      if (allUpdated) return step;
    }
  }
  throw new Error('rollout did not finish');
}

describe('RollingUpdate without surge', () => {
  it('TestDaemonSetUpdatesPods: maxUnavailable 1 on 10 nodes replaces one pod at a time and finishes', () => {
    const sim = settledCluster(10, daemonSet({ maxUnavailable: 1 }));
    const first = sim.pass();
    expect(first.decisions).toEqual([]);
    sim.applyDaemonSet(daemonSet({ maxUnavailable: 1 }, 'foo/bar:v2'));
    const { decisions } = sim.pass();
    expect(deletesIn(decisions)).toBe(1);
    expect(createsIn(decisions)).toBe(0);
    rollOut(sim, daemonSet({ maxUnavailable: 1 }, 'foo/bar:v2'), () => expect(unavailableNodes(sim, 10)).toBeLessThanOrEqual(1));
    expect(sim.daemonSet().status).toMatchObject({ desiredNumberScheduled: 10, updatedNumberScheduled: 10, numberAvailable: 10 });
  });

  it('TestDaemonSetUpdatesPodsWithMaxUnavailablePercent: 30% of 10 nodes lets 3 go at once', () => {
    const sim = settledCluster(10, daemonSet({ maxUnavailable: '30%' }));
    sim.applyDaemonSet(daemonSet({ maxUnavailable: '30%' }, 'foo/bar:v2'));
    expect(deletesIn(sim.pass().decisions)).toBe(3);
    rollOut(sim, daemonSet({ maxUnavailable: '30%' }, 'foo/bar:v2'), () => expect(unavailableNodes(sim, 10)).toBeLessThanOrEqual(3));
  });

  it('percentages round up, and a budget that rounds to zero still allows one (1% of 10 → 1)', () => {
    const sim = settledCluster(10, daemonSet({ maxUnavailable: '1%' }));
    sim.applyDaemonSet(daemonSet({ maxUnavailable: '1%' }, 'v2'));
    expect(deletesIn(sim.pass().decisions)).toBe(1);
    const sim2 = settledCluster(10, daemonSet({ maxUnavailable: '11%' }));
    sim2.applyDaemonSet(daemonSet({ maxUnavailable: '11%' }, 'v2'));
    expect(deletesIn(sim2.pass().decisions)).toBe(2);
  });

  it('TestDaemonSetUpdatesWhenNewPodIsNotReady: an unready new pod holds the budget', () => {
    const sim = settledCluster(3, daemonSet({ maxUnavailable: 1 }));
    sim.applyDaemonSet(daemonSet({ maxUnavailable: 1 }, 'v2'));
    sim.pass();
    sim.confirmDeletions();
    sim.pass(); // creates the replacement
    const fresh = sim.livePods().find((p) => p.status?.phase === 'Pending') as Pod;
    sim.report(fresh, 'Running', false);
    expect(deletesIn(sim.pass().decisions)).toBe(0);
    sim.report(fresh, 'Running', true);
    expect(deletesIn(sim.pass().decisions)).toBe(1);
  });

  it('TestDaemonSetUpdatesAllOldPodsNotReady: old pods that are not available are all replaced at once', () => {
    const sim = settledCluster(4, daemonSet({ maxUnavailable: 1 }));
    for (const pod of sim.livePods()) sim.report(pod, 'Running', false);
    sim.applyDaemonSet(daemonSet({ maxUnavailable: 1 }, 'v2'));
    expect(deletesIn(sim.pass().decisions)).toBe(4);
  });

  it('TestDaemonSetUpdatesNoTemplateChanged: a spec change outside the template replaces nothing', () => {
    const sim = settledCluster(3, daemonSet({ maxUnavailable: 1 }));
    const ds = daemonSet({ maxUnavailable: 2 });
    sim.applyDaemonSet(ds);
    const { decisions } = sim.pass();
    expect(decisions.map((d) => d.type)).toEqual(['DaemonSetStatusUpdated']);
    expect(sim.daemonSet().metadata.generation).toBe(2);
  });

  it('minReadySeconds: a new pod counts as available only after it, and the pass asks to look again then', () => {
    const ds = { ...daemonSet({ maxUnavailable: 1 }), spec: { ...daemonSet({ maxUnavailable: 1 }).spec, minReadySeconds: 10 } };
    const sim = settledCluster(2, ds);
    sim.advance(11_000);
    sim.pass();
    expect(sim.daemonSet().status?.numberAvailable).toBe(2);
    const next = { ...ds, spec: { ...ds.spec, template: { ...ds.spec.template, spec: { ...ds.spec.template.spec, containers: [{ name: 'main', image: 'v2' }] } } } };
    sim.applyDaemonSet(next);
    sim.pass();
    sim.confirmDeletions();
    sim.pass();
    sim.startAll();
    const result = sim.pass();
    expect(sim.daemonSet().status).toMatchObject({ numberReady: 2, numberAvailable: 1 });
    expect(deletesIn(result.decisions)).toBe(0);
    expect(result.requeueAfterMs).toBe(10_001);
    sim.advance(10_000);
    expect(deletesIn(sim.pass().decisions)).toBe(0);
    sim.advance(1);
    expect(deletesIn(sim.pass().decisions)).toBe(1);
  });
});

describe('RollingUpdate with surge', () => {
  it('TestDaemonSetUpdatesPodsWithMaxSurge: maxSurge 1 starts one new pod beside an old one, never below full availability', () => {
    const sim = settledCluster(5, daemonSet({ maxSurge: 1, maxUnavailable: 0 }));
    sim.applyDaemonSet(daemonSet({ maxSurge: 1, maxUnavailable: 0 }, 'v2'));
    const { decisions } = sim.pass();
    expect(createsIn(decisions)).toBe(1);
    expect(deletesIn(decisions)).toBe(0);
    rollOut(sim, daemonSet({ maxSurge: 1, maxUnavailable: 0 }, 'v2'), () => {
      expect(unavailableNodes(sim, 5)).toBe(0);
      const doubled = [0, 1, 2, 3, 4].filter((i) => sim.livePods(`node-${i}`).length > 1).length;
      expect(doubled).toBeLessThanOrEqual(1);
    });
  });

  it('TestSurgePreservesReadyOldPods: the old pod stays until the new one is available', () => {
    const sim = settledCluster(1, daemonSet({ maxSurge: 1, maxUnavailable: 0 }));
    sim.applyDaemonSet(daemonSet({ maxSurge: 1, maxUnavailable: 0 }, 'v2'));
    sim.pass();
    expect(sim.livePods('node-0')).toHaveLength(2);
    const fresh = sim.livePods('node-0').find((p) => p.status?.phase === 'Pending') as Pod;
    sim.report(fresh, 'Running', false);
    expect(deletesIn(sim.pass().decisions)).toBe(0);
    sim.report(fresh, 'Running', true);
    const { decisions } = sim.pass();
    expect(decisions.filter((d) => d.type === 'PodDeleteRequested')).toEqual([expect.objectContaining({ reason: 'RollingUpdate' })]);
  });

  it('TestSurgeDeletesUnreadyOldPods: an old pod that is not Ready goes as soon as a new one exists', () => {
    const sim = settledCluster(1, daemonSet({ maxSurge: 1, maxUnavailable: 0 }));
    sim.report(sim.livePods('node-0')[0] as Pod, 'Running', false);
    sim.applyDaemonSet(daemonSet({ maxSurge: 1, maxUnavailable: 0 }, 'v2'));
    const { decisions } = sim.pass();
    expect(createsIn(decisions)).toBe(1);
    expect(deletesIn(decisions)).toBe(1);
  });

  it('TestSurgeCreatesNewPodWhenAtMaxSurgeAndOldPodDeleted: a node whose old pod is unavailable gets a new pod beyond the surge budget', () => {
    const sim = settledCluster(3, daemonSet({ maxSurge: 1, maxUnavailable: 0 }));
    sim.report(sim.livePods('node-2')[0] as Pod, 'Running', false);
    sim.applyDaemonSet(daemonSet({ maxSurge: 1, maxUnavailable: 0 }, 'v2'));
    const { decisions } = sim.pass();
    const createdOn = decisions.flatMap((d) => (d.type === 'PodCreateRequested' ? [d.node] : [])).sort();
    expect(createdOn).toEqual(['node-0', 'node-2']);
  });

  it('TestSurgePreservesOldReadyWithUnsatisfiedMinReady: a Ready new pod inside minReadySeconds keeps the old one', () => {
    const base = daemonSet({ maxSurge: 1, maxUnavailable: 0 });
    const sim = settledCluster(1, { ...base, spec: { ...base.spec, minReadySeconds: 30 } });
    const next = daemonSet({ maxSurge: 1, maxUnavailable: 0 }, 'v2');
    sim.applyDaemonSet({ ...next, spec: { ...next.spec, minReadySeconds: 30 } });
    sim.pass();
    sim.startAll();
    sim.advance(5_000);
    expect(deletesIn(sim.pass().decisions)).toBe(0);
    sim.advance(30_000);
    expect(deletesIn(sim.pass().decisions)).toBe(1);
  });
});

describe('OnDelete', () => {
  it('TestDaemonSetOnDelete: nothing is replaced until a pod is deleted; its replacement carries the new revision', () => {
    const sim = settledCluster(3, daemonSet('OnDelete'));
    sim.applyDaemonSet(daemonSet('OnDelete', 'v2'));
    expect(sim.pass().decisions.filter((d) => d.type !== 'DaemonSetStatusUpdated' && d.type !== 'RevisionCreated')).toEqual([]);
    expect(sim.daemonSet().status?.updatedNumberScheduled).toBe(0);
    const victim = sim.livePods('node-1')[0] as Pod;
    sim.emit('io.everynode.pod.deleted', { metadata: { namespace: 'default', name: victim.metadata.name } });
    const { decisions } = sim.pass();
    const created = decisions.find((d) => d.type === 'PodCreateRequested');
    expect(created).toMatchObject({ node: 'node-1' });
    expect(created?.type === 'PodCreateRequested' && created.pod.spec.containers?.[0]?.image).toBe('v2');
    expect(sim.daemonSet().status?.updatedNumberScheduled).toBe(1);
  });
});

describe('rollingUpdate over nodes that should not run a pod, and pods on no node of the pass', () => {
  const current: DaemonSet = (() => {
    const ds = daemonSet({ maxUnavailable: 1 });
    ds.spec.template.spec.nodeSelector = { color: 'blue' };
    return ds;
  })();
  // Pods of an older template (hash and template generation), Pending: not available, so each is replaced at once.
  const older: DaemonSet = { ...current, metadata: { ...current.metadata, annotations: { [TemplateGenerationAnnotation]: '0' } } };
  const oldPodOn = (node: string, sequence: number) => newDaemonPod({ ds: older, nodeName: node, hash: 'old', sequence, now: 0, nameTaken: () => false });
  const nodes = new Map([
    ['node-a', newNode('node-a', { color: 'blue' })],
    ['node-b', newNode('node-b', { color: 'red' })],
    ['node-d', newNode('node-d', { color: 'blue' })],
  ]);
  // node-c is gone from the pass's nodes but still has a pod.
  const pods = [oldPodOn('node-c', 0), oldPodOn('node-b', 1), oldPodOn('node-a', 2)];
  const ctx: PassContext = {
    ds: current,
    nodes,
    pods: new Map(pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p])),
    controller: emptyControllerRecord,
    hash: 'new',
    now: 1000,
  };

  it('replaces the old pods on every node in name order — eligible, ineligible and gone — whether or not the pass keeps its groupings', () => {
    const kept: PassContext = { ...ctx, podsByNode: () => nodeToDaemonPods(ctx.ds, ctx.pods.values()), nodeNames: () => [...nodes.keys()].sort() };
    for (const c of [ctx, kept]) {
      const deleted = rollingUpdate(c).decisions.map((d) => (d.type === 'PodDeleteRequested' ? d.node : d.type));
      expect(deleted).toEqual(['node-a', 'node-b', 'node-c']);
    }
  });
});
