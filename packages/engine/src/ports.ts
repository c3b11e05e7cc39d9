/**
 * The engine's ports: the only doors the processes around it (the HTTP
 * server, bridges, the CLI's local cluster) go through. `reader` reads the
 * projection, `ingress` takes events in, `history` reads the log and
 * rebuilds the past from it, `admin` exports, imports, destroys and says
 * whether the engine can work. The Redis engine implements them; so can
 * anything else that keeps the same promises.
 */
import type { ControllerRevision, DaemonSet, DeadLetter, DeadLetterJobData, DeadLetterPage, Node, Pod, PodCommand, SubmitResult, VerifyResult } from '@everynode/api';
import type { ClusterState } from '@everynode/daemonset';
import type { ImportResult, LogEntry, LogSelector, ObjectKinds, VersionedObjects } from '@everynode/eventlog';

export type { ImportResult, LogClause, LogEntry, LogSelector, ObjectKinds, VersionedObjects } from '@everynode/eventlog';

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
  /**
   * Nodes, pods or DaemonSets as the API serves them, read at one instant:
   * each with `metadata.resourceVersion`, the seq of the log entry that last
   * changed it, and the log's last seq then (a list's resourceVersion).
   * `namespace` narrows pods and DaemonSets; `name` reads one object.
   */
  readVersioned<K extends keyof ObjectKinds>(kind: K, where?: { namespace?: string; name?: string }): Promise<VersionedObjects<ObjectKinds[K]>>;
}

// The answers' shapes are the wire's (`@everynode/api` `replies.ts`): the HTTP API sends them as they are.
export type { Refusal, SubmitResult, VerifyResult } from '@everynode/api';

export interface EventIngress {
  /**
   * Validate each event (CloudEvents 1.0 + docs/contract.md §2 schemas) and queue the
   * valid ones; a refused event never blocks the others. With `wait`, resolve
   * once every accepted event is in the log (read-your-writes), or reject
   * after `timeoutMs` (default 10 s).
   */
  submit(events: readonly unknown[], options?: SubmitOptions): Promise<SubmitResult>;
  /**
   * Park a message that is not an event at all (not JSON, no CloudEvent in
   * it) in the dead-letter queue with `reason` and where it came from, so an
   * operator can inspect it; resolves once it is stored.
   */
  park(message: unknown, reason: string, origin: MessageOrigin): Promise<void>;
  /**
   * The events not yet taken up by a worker: jobs waiting, delayed or
   * prioritized on the `events` queue. A producer that can wait (a bridge)
   * pauses while this is past its high-water mark.
   */
  backlog(): Promise<number>;
}

/** Where a message came from, kept with it in the dead-letter queue. */
export type MessageOrigin = NonNullable<DeadLetterJobData['origin']>;

export interface SubmitOptions {
  /** Resolve only once every accepted event is in the log. Default false. */
  readonly wait?: boolean;
  /** With `wait`, reject after this long. Default 10 s. */
  readonly timeoutMs?: number;
  /** Where the events came from: a refused one is parked with it. */
  readonly origin?: MessageOrigin;
}

/** The cluster as the log implies it at some earlier point. */
export interface ReplayedState {
  readonly state: ClusterState;
  /** The last log sequence number applied (0: none). */
  readonly seq: number;
  /** That entry's time (RFC 3339); absent when no entry was applied. */
  readonly at?: string;
}

/** The log, and the cluster as the log implies it at any point. */
export interface History {
  /** Log entries with `seq > after`, at most `limit` (default 100). */
  readLog(options?: { after?: number; limit?: number }): Promise<LogEntry[]>;
  /**
   * Of the next `limit` seqs after `after` (default 10,000), the entries
   * `where` selects, in log order; `next` is the last seq examined (where
   * the next call starts). Entries it rules out are not even read.
   */
  readLogWhere(options: { after?: number; limit?: number; where: LogSelector }): Promise<{ entries: LogEntry[]; next: number }>;
  /** The seq the log was trimmed behind (0: nothing trimmed); older history is only in a snapshot. */
  logHorizon(): Promise<number>;
  /** The last seq written (0: an empty log). */
  lastSeq(): Promise<number>;
  /**
   * Resolve true once the log's last seq is greater than `after` (at once
   * when it already is); false after `timeoutMs`, when `signal` aborts, or
   * when the engine closes first. Every wait of an engine shares one
   * blocking Redis connection (`XREAD BLOCK` on the log): a waiter costs no
   * Redis command of its own, however many there are.
   */
  waitForSeq(after: number, options: { readonly timeoutMs: number; readonly signal?: AbortSignal }): Promise<boolean>;
  /**
   * The pod commands the passes among the next `limit` seqs after `after`
   * (default 1,000) decided, in log order, each with its pass's seq — the
   * same commands, with the same deterministic ids, the engine publishes on
   * its `commands` queue. `next` is the last seq examined.
   */
  readCommands(options: { after?: number; limit?: number }): Promise<{ items: { seq: number; command: PodCommand }[]; next: number }>;
  /** Rebuild the projection from the log and compare it with the live one. */
  verify(): Promise<VerifyResult>;
  /**
   * Rebuild the state from the log alone, up to and including seq `toSeq`
   * and/or the entries accepted at or before `atOrBefore` (ms since the
   * epoch); without either, the present.
   */
  stateAt(bounds: { readonly toSeq?: number; readonly atOrBefore?: number }): Promise<ReplayedState>;
}

/** Operating the engine's storage: archive, migrate, reset, and readiness. */
export interface Admin {
  /**
   * The whole log as JSON lines (a trimmed log starts with its snapshot),
   * up to `lastSeq`, the last seq when the export began: a running engine's
   * export is a consistent prefix.
   */
  exportLog(): Promise<{ readonly lastSeq: number; readonly lines: AsyncIterable<string> }>;
  /**
   * An export's lines into this engine's EMPTY log, then the projection
   * rebuilt from them. Throws `ImportRefused` when the log is not empty and
   * `LogFormatError` (naming the line) for a line that is not an entry.
   */
  importLog(source: AsyncIterable<string | Uint8Array> | Iterable<string>): Promise<ImportResult>;
  /** Delete every key of this engine's prefix: log, projection and queues. */
  destroy(): Promise<void>;
  /** Whether the engine can work now: Redis answers within `timeoutMs` (default 1 s). Never throws. */
  ready(timeoutMs?: number): Promise<boolean>;
  /** The dead-letter queue: refused events and parked messages, to inspect, resubmit or drop. */
  readonly deadLetters: DeadLetters;
  /** Where each outbound bridge is in the log: the last seq it delivered (0: none), kept across restarts. */
  readonly checkpoints: {
    get(name: string): Promise<number>;
    /** Record `seq` as delivered; a checkpoint never moves back. */
    set(name: string, seq: number): Promise<void>;
  };
}

/** The parked-message operations (EventStoreDB's park-and-replay is the model). */
export interface DeadLetters {
  /** The oldest first: `offset` skipped (default 0), at most `limit` (default 100). */
  list(options?: { offset?: number; limit?: number }): Promise<DeadLetterPage>;
  /** One dead letter; undefined when there is none with that id. */
  get(id: string): Promise<DeadLetter | undefined>;
  /**
   * Submit the message again through the ingress (with its origin) and drop
   * the dead letter: an event that is valid now is queued; one still
   * refused is parked again under a new id. Undefined when there is none.
   */
  replay(id: string): Promise<SubmitResult | undefined>;
  /** Delete it; false when there was none. */
  drop(id: string): Promise<boolean>;
}

/** Every port, as `startEngine` returns them. */
export interface EnginePorts {
  readonly reader: ClusterReader;
  readonly ingress: EventIngress;
  readonly history: History;
  readonly admin: Admin;
}
