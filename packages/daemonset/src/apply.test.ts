/** What each decision changes: `changesPods` says which may change the pods, and the others leave them as they were. */
import type { ControllerRevision, Pod } from '@everynode/api';
import { describe, expect, it } from 'vitest';
import { applyDecision, changesPods, type DecisionTarget } from './apply.ts';
import { controllerRef, newDaemonPod } from './new-pod.ts';
import { DeleteReason, emptyControllerRecord, type Decision } from './state.ts';
import { newDaemonSet } from './testing/fixtures.ts';

const ds = newDaemonSet('fluentd');
const now = Date.UTC(2026, 11, 3);
const podOn = (node: string, sequence: number): Pod => newDaemonPod({ ds, nodeName: node, hash: 'h1', sequence, now, nameTaken: () => false });
const revision: ControllerRevision = {
  apiVersion: 'apps/v1',
  kind: 'ControllerRevision',
  metadata: { name: 'fluentd-r2', namespace: 'default' },
  data: { spec: { template: ds.spec.template } },
  revision: 2,
} as ControllerRevision;

function target(): DecisionTarget {
  const pods = [podOn('n1', 0), podOn('n2', 1)];
  return {
    daemonSet: { ...ds, metadata: { ...ds.metadata, finalizers: ['foregroundDeletion'] } },
    controller: emptyControllerRecord,
    pods: new Map(pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p])),
    revisions: new Map([['fluentd-r1', { ...revision, metadata: { ...revision.metadata, name: 'fluentd-r1' }, revision: 1 }]]),
  };
}

const [one, two] = [...target().pods.values()] as [Pod, Pod];
/** One decision of every type. */
const decisions: Decision[] = [
  { type: 'PodCreateRequested', commandId: 'create-x', node: 'n3', pod: podOn('n3', 2) },
  { type: 'PodDeleteRequested', commandId: 'delete-x', namespace: 'default', name: one.metadata.name, node: 'n1', reason: DeleteReason.RollingUpdate, force: false },
  { type: 'PodDeleteRequested', commandId: 'delete-y', namespace: 'default', name: two.metadata.name, node: 'n2', reason: DeleteReason.NodeRemoved, force: true },
  { type: 'PodAdopted', namespace: 'default', name: one.metadata.name, owner: controllerRef(ds) },
  { type: 'PodReleased', namespace: 'default', name: one.metadata.name },
  { type: 'PodRelabeled', namespace: 'default', name: one.metadata.name, hash: 'h2' },
  { type: 'RevisionCreated', revision },
  { type: 'RevisionRenumbered', name: 'fluentd-r1', revision: 3 },
  { type: 'RevisionDeleted', name: 'fluentd-r1' },
  { type: 'FailedPodBackoffRecorded', node: 'n1', backoff: { generation: 1, delayMs: 1000, lastAt: now } },
  { type: 'DaemonSetStatusUpdated', status: { currentNumberScheduled: 2, numberMisscheduled: 0, desiredNumberScheduled: 2, numberReady: 0 } },
  { type: 'FinalizerRemoved', finalizer: 'foregroundDeletion' },
];

describe('changesPods', () => {
  it.each(decisions.map((d) => [d.type, d] as const))('%s: leaves every pod the very object it was, unless it may change the pods', (_, d) => {
    const t = target();
    const before = new Map(t.pods);
    applyDecision(t, d, now);
    const same = t.pods.size === before.size && [...before].every(([key, pod]) => t.pods.get(key) === pod);
    if (!changesPods(d)) expect(same).toBe(true);
    else expect(same).toBe(false);
  });
});
