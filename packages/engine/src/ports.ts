/**
 * What the engine offers the processes around it (HTTP API, CLI, agent):
 * reading the projection and the log, and submitting events. The Redis engine
 * implements both; so can anything else that keeps the same promises.
 */
import type { ControllerRevision, DaemonSet, Node, Pod, SubmitResult, VerifyResult } from '@everynode/api';
import type { ClusterState } from '@everynode/daemonset';
import type { IndexLine, LogEntry } from '@everynode/eventlog';

export interface ClusterReader {
  listNodes(): Promise<Node[]>;
  getNode(name: string): Promise<Node | undefined>;
  /** Live DaemonSets (with status), in `namespace` or all. */
  listDaemonSets(namespace?: string): Promise<DaemonSet[]>;
  getDaemonSet(namespace: string, name: string): Promise<DaemonSet | undefined>;
  /** Pods in `namespace` or all, including terminating ones (they carry `deletionTimestamp`). */
  listPods(namespace?: string): Promise<Pod[]>;
  getPod(namespace: string, name: string): Promise<Pod | undefined>;
  /** The ControllerRevisions of a DaemonSet, by ascending revision. */
  listRevisions(namespace: string, daemonSet: string): Promise<ControllerRevision[]>;
  /** Log entries with `seq > after`, at most `limit` (default 100). */
  readLog(options?: { after?: number; limit?: number }): Promise<LogEntry[]>;
  /**
   * Of the next `limit` seqs after `after` (default 10,000), the entries
   * `where` does not rule out by their index lines; `next` is the last seq
   * examined. Entries without an index line are always returned.
   */
  readLogWhere(options: { after?: number; limit?: number; where: (line: IndexLine) => boolean }): Promise<{ entries: LogEntry[]; next: number }>;
  /** The seq the log was trimmed behind (0: nothing trimmed); older history is only in a snapshot. */
  logHorizon(): Promise<number>;
}

// The answers' shapes are the wire's (`@everynode/api` `replies.ts`): the HTTP API sends them as they are.
export type { Refusal, SubmitResult, VerifyResult } from '@everynode/api';

export interface EventIngress {
  /**
   * Validate each event (CloudEvents 1.0 + CONTRACT §2 schemas) and queue the
   * valid ones; a refused event never blocks the others. With `wait`, resolve
   * once every accepted event is in the log (read-your-writes), or reject
   * after `timeoutMs` (default 10 s).
   */
  submit(events: readonly unknown[], options?: { wait?: boolean; timeoutMs?: number }): Promise<SubmitResult>;
}

/** The cluster as the log implies it at some earlier point. */
export interface ReplayedState {
  readonly state: ClusterState;
  /** The last log sequence number applied (0: none). */
  readonly seq: number;
  /** That entry's time (RFC 3339); absent when no entry was applied. */
  readonly at?: string;
}

export interface Verifier {
  verify(): Promise<VerifyResult>;
  /**
   * Rebuild the state from the log alone, up to and including seq `toSeq`
   * and/or the entries accepted at or before `atOrBefore` (ms since the
   * epoch); without either, the present.
   */
  stateAt(bounds: { readonly toSeq?: number; readonly atOrBefore?: number }): Promise<ReplayedState>;
}
