/**
 * What the log holds (CONTRACT §4 `GET /log`): every accepted event and every
 * pass's decisions, each with its sequence number. The log is the truth; the
 * projection is derived from it.
 */
import type { ClusterEvent } from '@everynode/api';
import type { Decision } from '@everynode/daemonset';

/** An accepted event. `applied: false` when it was stale or changed nothing (still recorded as seen). */
export interface EventEntry {
  readonly seq: number;
  /** Schema version (see `upcast.ts`): written with every entry; `readLog` gives the current one. */
  readonly v?: number;
  readonly kind: 'event';
  /** When the engine accepted it (RFC 3339). */
  readonly at: string;
  readonly event: ClusterEvent;
  readonly applied: boolean;
  readonly ignored?: string;
}

/** One reconcile pass over one DaemonSet, with what it decided. */
export interface PassEntry {
  readonly seq: number;
  /** Schema version (see `upcast.ts`): written with every entry; `readLog` gives the current one. */
  readonly v?: number;
  readonly kind: 'pass';
  /** The pass's `now` (RFC 3339): replay decides nothing, it re-applies these. */
  readonly at: string;
  /** `namespace/name` of the DaemonSet. */
  readonly daemonSet: string;
  readonly decisions: readonly Decision[];
  /** Log sequence numbers of the events that made this pass necessary. */
  readonly causes: readonly number[];
  /**
   * The same causes by the node they concern (`*`: every node, e.g. the
   * DaemonSet changed): a decision about node N was caused by
   * `causedBy[N]` and `causedBy['*']`. Absent in entries written before it existed.
   */
  readonly causedBy?: Readonly<Record<string, readonly number[]>>;
}

/** The log entries that caused `pass`'s decisions about `node` (all of the pass's causes when it says no more). */
export function causesOf(pass: Pick<PassEntry, 'causes' | 'causedBy'>, node: string): number[] {
  if (pass.causedBy === undefined) return [...pass.causes];
  return [...(pass.causedBy[node] ?? []), ...(pass.causedBy['*'] ?? [])].sort((a, b) => a - b);
}

export type LogEntry = EventEntry | PassEntry;

/** An entry as written, before the log gives it its seq. */
export type UnsequencedEntry = Omit<EventEntry, 'seq'> | Omit<PassEntry, 'seq'>;
