/**
 * What a DaemonSet pass reads (its view) and what it records (its decisions).
 *
 * Timestamps inside objects are RFC 3339 strings, as in Kubernetes; `now` is
 * milliseconds since the epoch and always passed in, never read from a clock.
 */
import type { ControllerRevision, DaemonSet, Decision, FailedPodBackoff, Node, Pod } from '@everynode/api';

/** Milliseconds since the epoch. */
export type Millis = number;

// Declared with the wire (`@everynode/api` `decisions.ts`), as the log and the HTTP answers carry them.
export { DeleteReason } from '@everynode/api';
export type { Decision, DecisionType, FailedPodBackoff } from '@everynode/api';

/** The controller's own bookkeeping for one DaemonSet, kept beside it in the projection. */
export interface ControllerRecord {
  /** Pods created so far; the next pod's name and uid derive from it, so replay repeats them. */
  readonly podSequence: number;
  /** Failed-pod backoff per node name. */
  readonly failedPodBackoff: Readonly<Record<string, FailedPodBackoff>>;
}

export const emptyControllerRecord: ControllerRecord = { podSequence: 0, failedPodBackoff: {} };

/**
 * Everything one pass over one DaemonSet reads.
 *
 * - `daemonSet` is stored (defaulted, with `metadata.uid` and `generation`).
 * - `nodes` are all the nodes that exist, by name.
 * - `pods` are the pods of the DaemonSet's namespace that may concern it —
 *   those it controls and orphans its selector matches — keyed `namespace/name`.
 * - `revisions` are the ControllerRevisions it owns, by name.
 * - `deleted` is set once the DaemonSet was deleted and its pods must go.
 */
export interface DaemonSetView {
  readonly daemonSet: DaemonSet;
  readonly nodes: ReadonlyMap<string, Node>;
  readonly pods: ReadonlyMap<string, Pod>;
  readonly revisions: ReadonlyMap<string, ControllerRevision>;
  readonly controller: ControllerRecord;
  readonly deleted?: boolean;
  /** Set for a pass over a few nodes only; see {@link PartialScope}. */
  readonly scope?: PartialScope;
}

/** What one node adds to the DaemonSet's counters (each 0 or 1). */
export interface NodeContribution {
  readonly desired: number;
  readonly current: number;
  readonly misscheduled: number;
  readonly ready: number;
  readonly available: number;
  readonly updated: number;
  /** The node runs a pod of an older template: a rolling update still has work here. */
  readonly old: number;
}

/** What a step of a pass reads. */
export interface PassContext {
  readonly ds: DaemonSet;
  readonly nodes: ReadonlyMap<string, Node>;
  /** Pods keyed `namespace/name`, including those of this pass's earlier steps. */
  readonly pods: ReadonlyMap<string, Pod>;
  readonly controller: ControllerRecord;
  /** The current revision's hash. */
  readonly hash: string;
  readonly now: Millis;
  /** A partial pass: only these nodes are looked at (pods elsewhere are not on missing nodes). */
  readonly scope?: ReadonlySet<string>;
  /**
   * `nodeToDaemonPods(ds, pods.values())`, kept by the pass while neither
   * changes (`daemonPodsByNode` asks it): a pass's steps all group the same
   * pods by node. Read-only.
   */
  readonly podsByNode?: () => ReadonlyMap<string, readonly Pod[]>;
  /** The names of `nodes`, sorted, kept by the pass (`sortedNodeNames` asks it): the nodes do not change during a pass. Read-only. */
  readonly nodeNames?: () => readonly string[];
}

/**
 * A pass over some nodes only — cost follows the change, not the cluster.
 * `nodes` of the view then holds those of `scope.nodes` that exist, and
 * `pods` the pods on them (plus orphans there the selector matches). Status
 * is the stored status minus the nodes' stored contributions plus their new
 * ones. Only valid while no rollout is under way; `decide` checks and asks
 * for a full pass otherwise.
 */
export interface PartialScope {
  readonly nodes: ReadonlySet<string>;
  /** The scope's nodes' contributions as last stored (absent: none). */
  readonly contributions: ReadonlyMap<string, NodeContribution>;
  /** How many nodes ran a pod of an older template, over the whole cluster, before this pass. */
  readonly oldTotal: number;
}

/** A Kubernetes Event the controller would record on its DaemonSet (`kubectl describe`). */
export interface ControllerEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** What one pass returns. */
export interface PassResult {
  readonly decisions: readonly Decision[];
  /**
   * Per-node status contributions after the pass: every node's for a full
   * pass, the scope's for a partial one (a scope node missing here has none).
   */
  readonly contributions: ReadonlyMap<string, NodeContribution>;
  /** Nodes running a pod of an older template, cluster-wide, after the pass. */
  readonly oldTotal: number;
  /** A partial pass could not decide everything: run a full pass (next). */
  readonly fullPassNeeded?: boolean;
  /** Events beyond those derivable from decisions (e.g. `SelectingAll`). */
  readonly events: readonly ControllerEvent[];
  /** When a later pass is needed though nothing else changes (backoff, minReadySeconds). */
  readonly requeueAfterMs?: Millis;
}
