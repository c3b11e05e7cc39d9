/**
 * Applying a pass's decisions to the objects they concern: the one place that
 * says what each decision changes. The pass itself (to see its own effects),
 * the projection and replay all go through here.
 */
import { ControllerRevisionHashLabel, type ControllerRevision, type DaemonSet, type Pod } from '@everynode/api';
import { timestamp } from './pod-util.ts';
import type { ControllerRecord, Decision, Millis } from './state.ts';

/** The mutable holder decisions are applied to. Objects inside are replaced, never mutated. */
export interface DecisionTarget {
  daemonSet: DaemonSet;
  controller: ControllerRecord;
  /** Pods keyed `namespace/name`. */
  readonly pods: Map<string, Pod>;
  /** Revisions keyed by name. */
  readonly revisions: Map<string, ControllerRevision>;
}

/** Apply `decisions`, taken at `now`, to `target` in order. */
export function applyDecisions(target: DecisionTarget, decisions: readonly Decision[], now: Millis): void {
  for (const decision of decisions) applyDecision(target, decision, now);
}

export function applyDecision(target: DecisionTarget, d: Decision, now: Millis): void {
  switch (d.type) {
    case 'PodCreateRequested':
      target.pods.set(`${d.pod.metadata.namespace}/${d.pod.metadata.name}`, d.pod);
      target.controller = { ...target.controller, podSequence: target.controller.podSequence + 1 };
      return;
    case 'PodDeleteRequested': {
      const key = `${d.namespace}/${d.name}`;
      const pod = target.pods.get(key);
      if (!pod) return;
      if (d.force) target.pods.delete(key);
      else if (pod.metadata.deletionTimestamp === undefined) {
        target.pods.set(key, { ...pod, metadata: { ...pod.metadata, deletionTimestamp: timestamp(now) } });
      }
      return;
    }
    case 'PodAdopted':
      updatePod(target, d.namespace, d.name, (pod) => ({
        ...pod,
        metadata: { ...pod.metadata, ownerReferences: [...(pod.metadata.ownerReferences ?? []), d.owner] },
      }));
      return;
    case 'PodReleased': {
      const uid = target.daemonSet.metadata.uid;
      updatePod(target, d.namespace, d.name, (pod) => ({
        ...pod,
        metadata: { ...pod.metadata, ownerReferences: (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid) },
      }));
      return;
    }
    case 'PodRelabeled':
      updatePod(target, d.namespace, d.name, (pod) => ({
        ...pod,
        metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, [ControllerRevisionHashLabel]: d.hash } },
      }));
      return;
    case 'RevisionCreated':
      target.revisions.set(d.revision.metadata.name, d.revision);
      return;
    case 'RevisionRenumbered': {
      const revision = target.revisions.get(d.name);
      if (revision) target.revisions.set(d.name, { ...revision, revision: d.revision });
      return;
    }
    case 'RevisionDeleted':
      target.revisions.delete(d.name);
      return;
    case 'FailedPodBackoffRecorded':
      target.controller = {
        ...target.controller,
        failedPodBackoff: { ...target.controller.failedPodBackoff, [d.node]: d.backoff },
      };
      return;
    case 'DaemonSetStatusUpdated':
      target.daemonSet = { ...target.daemonSet, status: d.status };
      return;
    case 'FinalizerRemoved': {
      const { finalizers = [], ...metadata } = target.daemonSet.metadata;
      const kept = finalizers.filter((f) => f !== d.finalizer);
      target.daemonSet = { ...target.daemonSet, metadata: { ...metadata, ...(kept.length > 0 ? { finalizers: kept } : {}) } };
      return;
    }
    default: {
      const unknown: never = d;
      throw new Error(`unknown decision ${JSON.stringify(unknown)}`);
    }
  }
}

/** Whether applying `d` may change the pods (so what was worked out from them must be worked out again). */
export function changesPods(d: Decision): boolean {
  switch (d.type) {
    case 'PodCreateRequested':
    case 'PodDeleteRequested':
    case 'PodAdopted':
    case 'PodReleased':
    case 'PodRelabeled':
      return true;
    case 'RevisionCreated':
    case 'RevisionRenumbered':
    case 'RevisionDeleted':
    case 'FailedPodBackoffRecorded':
    case 'DaemonSetStatusUpdated':
    case 'FinalizerRemoved':
      return false;
    default: {
      const unknown: never = d;
      throw new Error(`unknown decision ${JSON.stringify(unknown)}`);
    }
  }
}

function updatePod(target: DecisionTarget, namespace: string, name: string, change: (pod: Pod) => Pod): void {
  const key = `${namespace}/${name}`;
  const pod = target.pods.get(key);
  if (pod) target.pods.set(key, change(pod));
}
