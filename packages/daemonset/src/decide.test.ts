/**
 * Given nodes and pods, when a pass runs, then these decisions — specs named
 * after the upstream tests they mirror (pkg/controller/daemon/daemon_controller_test.go).
 */
import { describe, expect, it } from 'vitest';
import type { DaemonSet, Pod } from '@everynode/api';
import { decide } from './decide.ts';
import { viewOf } from './evolve.ts';
import { initialBackoffMs } from './failed-pod-backoff.ts';
import { isTerminating } from './pod-util.ts';
import type { Decision } from './state.ts';
import { newDaemonSet, newNode, simpleDaemonSetLabel, simpleNodeLabel } from './testing/fixtures.ts';
import { SimCluster } from './testing/sim.ts';

const creates = (ds: readonly Decision[]) => ds.filter((d) => d.type === 'PodCreateRequested');
const deletes = (ds: readonly Decision[]) => ds.filter((d) => d.type === 'PodDeleteRequested');
const createdOn = (ds: readonly Decision[]) =>
  creates(ds)
    .map((d) => (d.type === 'PodCreateRequested' ? d.node : ''))
    .sort();

function cluster(nodes: number, ds: DaemonSet = newDaemonSet('ds')): SimCluster {
  const sim = new SimCluster();
  for (let i = 0; i < nodes; i++) sim.joinNode(newNode(`node-${i}`));
  return sim.applyDaemonSet(ds);
}

/** An orphan or foreign pod reported by an agent on `node`. */
function reportedPod(name: string, node: string, labels: Record<string, string>, extra: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels, ...extra },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'i' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

describe('manage: one pod per qualifying node', () => {
  it('TestSimpleDaemonSetLaunchesPods: given 5 nodes, when a pass runs, then one pod is created on each', () => {
    const sim = cluster(5);
    const { decisions } = sim.pass();
    expect(createdOn(decisions)).toEqual(['node-0', 'node-1', 'node-2', 'node-3', 'node-4']);
    expect(deletes(decisions)).toHaveLength(0);
  });

  it('TestNoNodesDoesNothing: given no nodes, then nothing is created and status counts zero', () => {
    const sim = cluster(0);
    const { decisions } = sim.pass();
    expect(creates(decisions)).toHaveLength(0);
    expect(sim.daemonSet().status).toMatchObject({ desiredNumberScheduled: 0, currentNumberScheduled: 0 });
  });

  it('TestOneNodeDaemonLaunchesPod: the created pod targets its node by affinity, not nodeName', () => {
    const sim = cluster(1);
    sim.pass();
    const [pod] = sim.pods('node-0');
    expect(pod?.spec.nodeName).toBeUndefined();
    expect(pod?.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-0'] }] },
    ]);
  });

  it('a second pass over an unchanged cluster decides nothing', () => {
    const sim = cluster(3);
    sim.pass();
    expect(sim.pass().decisions).toEqual([]);
  });

  it('TestNodeSelectorDaemonLaunchesPods: only nodes matching the nodeSelector get a pod', () => {
    const ds = newDaemonSet('ds');
    ds.spec.template.spec.nodeSelector = { ...simpleNodeLabel };
    const sim = new SimCluster().joinNode(newNode('blue', simpleNodeLabel)).joinNode(newNode('plain')).applyDaemonSet(ds);
    expect(createdOn(sim.pass().decisions)).toEqual(['blue']);
  });

  it('TestSelectorDaemonDeletesUnselectedPods: a node that stops matching loses its pod', () => {
    const ds = newDaemonSet('ds');
    ds.spec.template.spec.nodeSelector = { ...simpleNodeLabel };
    const sim = new SimCluster().joinNode(newNode('n', simpleNodeLabel)).applyDaemonSet(ds);
    sim.settle();
    sim.updateNode(newNode('n'));
    const { decisions } = sim.pass();
    expect(deletes(decisions)).toEqual([expect.objectContaining({ node: 'n', reason: 'NodeIneligible', force: false })]);
  });

  it('TestDealsWithExistingPods: extra pods on a node are deleted, keeping the oldest bound one', () => {
    const sim = cluster(2);
    sim.settle();
    const ds = sim.daemonSet();
    // Two more of our pods appear on node-0 (e.g. created by an earlier controller).
    const keep = sim.livePods('node-0')[0] as Pod;
    sim.advance(1000);
    for (const name of ['ds-extra1', 'ds-extra2']) {
      sim.report(
        reportedPod(name, 'node-0', { ...simpleDaemonSetLabel }, {
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: ds.metadata.uid ?? '', controller: true }],
        }),
        'Running',
      );
    }
    sim.advance(1000);
    const { decisions } = sim.pass();
    expect(deletes(decisions).map((d) => (d.type === 'PodDeleteRequested' ? [d.name, d.reason] : []))).toEqual([
      ['ds-extra1', 'Duplicate'],
      ['ds-extra2', 'Duplicate'],
    ]);
    expect(sim.livePods('node-0').map((p) => p.metadata.name)).toEqual([keep.metadata.name]);
  });

  it('TestDeletePodForNotExistingNode: a removed node\'s pod is deleted at once and stops counting', () => {
    const sim = cluster(3);
    sim.settle();
    expect(sim.daemonSet().status?.currentNumberScheduled).toBe(3);
    sim.removeNode('node-1');
    const { decisions } = sim.pass();
    expect(deletes(decisions)).toEqual([expect.objectContaining({ node: 'node-1', reason: 'NodeRemoved', force: true })]);
    expect(sim.pods('node-1')).toHaveLength(0);
    expect(sim.daemonSet().status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2 });
  });

  it('TestDaemonKillFailedPods: a failed pod is deleted and replaced in the same pass', () => {
    const sim = cluster(1);
    sim.settle();
    sim.report(sim.livePods('node-0')[0] as Pod, 'Failed');
    const { decisions } = sim.pass();
    expect(deletes(decisions)).toEqual([expect.objectContaining({ reason: 'Failed' })]);
    expect(createdOn(decisions)).toEqual(['node-0']);
  });

  it('TestDaemonKillFailedPodsBackoff: kills of failed pods on a node are spaced 1 s, 2 s, 4 s … apart', () => {
    const sim = cluster(1);
    sim.settle();
    const gaps: number[] = [];
    let lastKill = sim.now;
    for (let kill = 0; kill < 5; kill++) {
      sim.startAll();
      sim.report(sim.livePods('node-0').find((p) => p.status?.phase === 'Running') as Pod, 'Failed');
      let result = sim.pass();
      while (deletes(result.decisions).length === 0) {
        expect(result.requeueAfterMs).toBeGreaterThan(0);
        sim.advance(result.requeueAfterMs ?? 0);
        result = sim.pass();
      }
      if (kill > 0) gaps.push(sim.now - lastKill);
      lastKill = sim.now;
      sim.confirmDeletions();
      sim.advance(10);
    }
    expect(gaps.map((g) => Math.round(g / initialBackoffMs))).toEqual([1, 2, 4, 8]);
  });

  it('failed-pod backoff starts afresh in a new generation', () => {
    const sim = cluster(1);
    sim.settle();
    sim.report(sim.livePods('node-0')[0] as Pod, 'Failed');
    sim.pass();
    sim.startAll();
    sim.report(sim.livePods('node-0').find((p) => p.status?.phase === 'Running') as Pod, 'Failed');
    expect(deletes(sim.pass().decisions)).toHaveLength(0);
    const changed = newDaemonSet('ds');
    changed.spec.template.spec.containers = [{ name: 'main', image: 'foo/bar:v2' }];
    sim.applyDaemonSet(changed);
    expect(deletes(sim.pass().decisions).some((d) => d.type === 'PodDeleteRequested' && d.reason === 'Failed')).toBe(true);
  });

  it('TestSucceededPodsAreDeleted: a Succeeded daemon pod is deleted and replaced without backoff', () => {
    const sim = cluster(1);
    sim.settle();
    sim.report(sim.livePods('node-0')[0] as Pod, 'Succeeded');
    const { decisions } = sim.pass();
    expect(deletes(decisions)).toEqual([expect.objectContaining({ reason: 'Succeeded' })]);
    expect(createdOn(decisions)).toEqual(['node-0']);
  });

  it('a terminating pod blocks its replacement until its deletion is confirmed', () => {
    const sim = cluster(1);
    sim.settle();
    sim.updateNode({ ...newNode('node-0'), spec: { taints: [{ key: 'k', effect: 'NoExecute' }] } });
    expect(deletes(sim.pass().decisions)).toHaveLength(1);
    sim.updateNode(newNode('node-0'));
    expect(sim.pass().decisions.filter((d) => d.type !== 'DaemonSetStatusUpdated')).toEqual([]);
    sim.confirmDeletions();
    expect(createdOn(sim.pass().decisions)).toEqual(['node-0']);
  });

  it('TestGetNodesToDaemonPods/adoption: an orphan whose labels match is adopted and counts', () => {
    const sim = new SimCluster().joinNode(newNode('n'));
    sim.report(reportedPod('orphan', 'n', { ...simpleDaemonSetLabel }), 'Running');
    sim.applyDaemonSet(newDaemonSet('ds'));
    const { decisions } = sim.pass();
    expect(decisions[0]).toMatchObject({ type: 'PodAdopted', name: 'orphan' });
    expect(creates(decisions)).toHaveLength(0);
    expect(sim.daemonSet().status).toMatchObject({ currentNumberScheduled: 1, numberReady: 1 });
  });

  it('pods owned by another controller are left alone', () => {
    const sim = new SimCluster().joinNode(newNode('n'));
    const foreign = reportedPod('foreign', 'n', { ...simpleDaemonSetLabel }, {
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }],
    });
    sim.report(foreign, 'Running').applyDaemonSet(newDaemonSet('ds'));
    const { decisions } = sim.pass();
    expect(decisions.some((d) => 'name' in d && d.name === 'foreign')).toBe(false);
    expect(createdOn(decisions)).toEqual(['n']);
  });

  it('an owned pod whose labels no longer match is released and replaced', () => {
    const sim = cluster(1);
    sim.settle();
    const pod = sim.livePods('node-0')[0] as Pod;
    sim.report({ ...pod, metadata: { ...pod.metadata, labels: { app: 'debug' } } }, 'Running');
    const { decisions } = sim.pass();
    expect(decisions[0]).toMatchObject({ type: 'PodReleased', name: pod.metadata.name });
    expect(createdOn(decisions)).toEqual(['node-0']);
  });

  it('TestSelectingAll: an empty selector makes the pass do nothing but warn', () => {
    const ds = { ...newDaemonSet('ds'), metadata: { ...newDaemonSet('ds').metadata } };
    ds.spec = { ...ds.spec, selector: {} };
    const sim = cluster(2, ds);
    const view = viewOf(sim.state, 'default/ds');
    const result = decide(view!, sim.now);
    expect(result.decisions).toEqual([]);
    expect(result.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'SelectingAll' })]);
  });

  it('a deleted DaemonSet has all its pods deleted', () => {
    const sim = cluster(3);
    sim.settle();
    sim.deleteDaemonSet('default', 'ds');
    const { decisions } = sim.pass();
    expect(deletes(decisions)).toHaveLength(3);
    expect(deletes(decisions).every((d) => d.type === 'PodDeleteRequested' && d.reason === 'DaemonSetDeleted')).toBe(true);
    sim.confirmDeletions();
    expect(sim.pods()).toHaveLength(0);
    expect(sim.pass().decisions).toEqual([]);
  });

  it('pod names are <ds>-<5 chars>, unique, and the same on replay', () => {
    const names = () => {
      const sim = cluster(50);
      sim.pass();
      return sim.pods().map((p) => p.metadata.name);
    };
    const first = names();
    expect(first.every((n) => /^ds-[bcdfghjklmnpqrstvwxz2456789]{5}$/.test(n))).toBe(true);
    expect(new Set(first).size).toBe(50);
    expect(names()).toEqual(first);
  });

  it('the created pod carries the hash and generation labels, the owner reference and the daemon tolerations', () => {
    const sim = cluster(1);
    sim.pass();
    const pod = sim.pods()[0] as Pod;
    const ds = sim.daemonSet();
    expect(pod.metadata.labels).toMatchObject({ ...simpleDaemonSetLabel, 'pod-template-generation': '1' });
    expect(pod.metadata.labels?.['controller-revision-hash']).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(pod.metadata.ownerReferences).toEqual([
      { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(pod.spec.tolerations?.map((t) => `${t.key}:${t.effect}`)).toEqual([
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    expect(isTerminating(pod)).toBe(false);
  });
});
