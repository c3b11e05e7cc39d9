import type { DaemonSet, Node, Pod } from '@everynode/api';
import { describe, expect, it } from 'vitest';
import { applyWatchEvents, CellState, cellOf, currentHashOf, gridOf, initialEventsEnd, newestSeq, nodeMatches, podState, viewOf } from './cluster-model.ts';
import { timelineLine } from './timeline-model.ts';
import { rolloutNumbers } from './rollout-model.ts';

const ds: DaemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'fluentd', namespace: 'kube-system', uid: 'ds-uid', resourceVersion: '7' },
  spec: {
    selector: { matchLabels: { name: 'fluentd' } },
    template: { metadata: { labels: { name: 'fluentd' } }, spec: { containers: [{ name: 'fluentd', image: 'fluentd:v1' }] } },
  },
} as DaemonSet;
const hash = currentHashOf(ds);

function node(name: string, extra: Partial<Node['spec']> = {}, labels: Record<string, string> = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels, resourceVersion: '3' }, spec: { ...extra } } as Node;
}

function pod(name: string, nodeName: string, options: { phase?: string; ready?: boolean; hash?: string; deleting?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'kube-system',
      labels: { name: 'fluentd', 'controller-revision-hash': options.hash ?? hash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: 'ds-uid', controller: true }],
      ...(options.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      resourceVersion: '9',
    },
    spec: { nodeName, containers: [{ name: 'fluentd', image: 'fluentd:v1' }] },
    status: { phase: options.phase ?? 'Running', conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }] },
  } as Pod;
}

const noSchedule = { taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' as const }] };
const noExecute = { taints: [{ key: 'dedicated', value: 'infra', effect: 'NoExecute' as const }] };

describe('a cell', () => {
  it('given a ready pod of the current template, then running', () => {
    expect(cellOf(node('a'), ds, [pod('p', 'a')], hash).state).toBe(CellState.Running);
  });
  it('given a pod not yet ready, or not yet running, then pending', () => {
    expect(podState(pod('p', 'a', { ready: false }), hash)).toBe(CellState.Pending);
    expect(podState(pod('p', 'a', { phase: 'Pending', ready: false }), hash)).toBe(CellState.Pending);
  });
  it('given a failed pod, then failed', () => {
    expect(podState(pod('p', 'a', { phase: 'Failed' }), hash)).toBe(CellState.Failed);
  });
  it('given a pod of an older template, or one being deleted, then updating', () => {
    expect(podState(pod('p', 'a', { hash: 'oldhash' }), hash)).toBe(CellState.Updating);
    expect(podState(pod('p', 'a', { deleting: true }), hash)).toBe(CellState.Updating);
  });
  it('given a live pod and a terminating one, then the live one counts', () => {
    const cell = cellOf(node('a'), ds, [pod('old', 'a', { deleting: true }), pod('new', 'a')], hash);
    expect(cell).toMatchObject({ state: CellState.Running, pod: { metadata: { name: 'new' } } });
  });
  it('given no pod where one should run, then missing; where none should, then none', () => {
    expect(cellOf(node('a'), ds, [], hash).state).toBe(CellState.Missing);
    expect(cellOf(node('a', noSchedule), ds, [], hash).state).toBe(CellState.None);
  });
  it('given a pod on a node whose NoExecute taint it does not tolerate, then misscheduled', () => {
    expect(cellOf(node('a', noExecute), ds, [pod('p', 'a')], hash).state).toBe(CellState.Misscheduled);
  });
  it('given a pod on a node newly tainted NoSchedule, then it may stay (as the controller lets it)', () => {
    expect(cellOf(node('a', noSchedule), ds, [pod('p', 'a')], hash).state).toBe(CellState.Running);
  });
});

describe('the grid', () => {
  const view = viewOf({ nodes: [node('b', {}, { zone: 'z2' }), node('a', {}, { zone: 'z1' }), node('c', noSchedule)], daemonSets: [ds], pods: [pod('pa', 'a'), pod('pb', 'b', { ready: false })] });

  it('given nodes and pods, then a row per node by name, a cell per DaemonSet, and the counts', () => {
    const grid = gridOf(view);
    expect(grid.rows.map((r) => r.node.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(grid.rows.map((r) => r.cells.map((c) => c.state))).toEqual([['running'], ['pending'], ['none']]);
    expect(grid.counts).toMatchObject({ running: 1, pending: 1, none: 1, missing: 0 });
  });

  it('given a label filter, then only the nodes it matches', () => {
    expect(gridOf(view, 'zone=z2').rows.map((r) => r.node.metadata.name)).toEqual(['b']);
    expect(gridOf(view, 'zone').rows.map((r) => r.node.metadata.name)).toEqual(['a', 'b']);
    expect(nodeMatches(node('worker07'), 'worker')).toBe(true);
    expect(nodeMatches(node('x', {}, { zone: 'z1' }), 'zone=z2')).toBe(false);
  });

  it('given watch events, then they are applied in order, bookmarks changing nothing', () => {
    const next = applyWatchEvents(view, 'nodes', [
      { type: 'ADDED', object: node('d') },
      { type: 'DELETED', object: node('a') },
      { type: 'BOOKMARK', object: { metadata: { resourceVersion: '40' } } },
    ]);
    expect([...next.nodes.keys()].sort()).toEqual(['b', 'c', 'd']);
    expect(view.nodes.has('a')).toBe(true);
    expect(applyWatchEvents(view, 'nodes', [{ type: 'BOOKMARK', object: { metadata: {} } }])).toBe(view);
  });

  it('given a watch with initial events, then they end at the annotated bookmark, not at a plain one', () => {
    const plain = { type: 'BOOKMARK' as const, object: { metadata: { resourceVersion: '5' } } };
    const end = { type: 'BOOKMARK' as const, object: { metadata: { resourceVersion: '5', annotations: { 'k8s.io/initial-events-end': 'true' } } } };
    expect(initialEventsEnd([{ type: 'ADDED', object: node('a') }, plain, end, { type: 'ADDED', object: node('b') }])).toBe(2);
    expect(initialEventsEnd([{ type: 'ADDED', object: node('a') }, plain])).toBe(-1);
  });

  it('given objects, then the newest resourceVersion is the seq seen', () => {
    expect(newestSeq(5, [node('a'), pod('p', 'a'), { metadata: { resourceVersion: 'x' } }])).toBe(9);
  });
});

describe('the rollout numbers and the timeline', () => {
  it('given a DaemonSet status, then kubectl numbers, 0 for what is not reported', () => {
    const status = { desiredNumberScheduled: 6, currentNumberScheduled: 6, numberReady: 5, updatedNumberScheduled: 2, numberMisscheduled: 0 };
    expect(rolloutNumbers({ ...ds, status })).toEqual({ desired: 6, current: 6, ready: 5, 'up-to-date': 2, available: 0, misscheduled: 0 });
  });

  it('given log entries, then timeline lines', () => {
    const event = timelineLine({ seq: 3, kind: 'event', at: 't', applied: true, event: { type: 'io.everynode.node.removed', subject: 'worker01' } } as never);
    expect(event).toEqual({ seq: 3, at: 't', kind: 'event', type: 'node.removed', object: 'worker01', detail: '' });
    const pass = timelineLine({ seq: 4, kind: 'pass', at: 't', daemonSet: 'kube-system/fluentd', causes: [3], decisions: [{ type: 'PodDeleteRequested' }, { type: 'PodDeleteRequested' }] } as never);
    expect(pass.detail).toBe('2 PodDeleteRequested; caused by #3');
    const ignored = timelineLine({ seq: 5, kind: 'event', at: 't', applied: false, ignored: 'stale', event: { type: 'io.everynode.node.joined', data: { metadata: { name: 'w' } } } } as never);
    expect(ignored).toMatchObject({ object: 'w', detail: 'ignored: stale' });
  });
});
