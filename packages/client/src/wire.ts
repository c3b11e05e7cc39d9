/**
 * What travels over everynode's HTTP API, as the client sees it. Kubernetes
 * objects keep their `@everynode/api` types; the engine's own answers (submit,
 * verify, log) are restated here because the client speaks JSON and must not
 * pull the engine's runtime in. They mirror `packages/engine/src/ports.ts` and
 * `packages/eventlog/src/entries.ts` field for field.
 *
 * The envelopes are checked with zod at this edge; the objects inside are the
 * server's own (it validated them on the way in) and are trusted as typed.
 */
import { z } from 'zod';
import type { ClusterEvent, DaemonSet, Node, Pod } from '@everynode/api';
import type { Decision } from '@everynode/daemonset';

/** A Kubernetes list (`DaemonSetList`, `NodeList`, …): `items` plus list metadata. */
export interface KubeList<T> {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly resourceVersion?: string };
  readonly items: T[];
}

export const KubeListSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.looseObject({ resourceVersion: z.string().optional() }).optional(),
  items: z.array(z.unknown()),
});

/** A Kubernetes `Status` (`metav1.Status`), the body of every error answer. */
export const StatusSchema = z.looseObject({
  kind: z.literal('Status'),
  apiVersion: z.string().optional(),
  status: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().optional(),
  details: z
    .looseObject({
      name: z.string().optional(),
      group: z.string().optional(),
      kind: z.string().optional(),
      causes: z.array(z.looseObject({ field: z.string().optional(), message: z.string().optional(), reason: z.string().optional() })).optional(),
    })
    .optional(),
});
export type Status = z.infer<typeof StatusSchema>;

/** Why the engine refused one event of a batch (`Refusal` in engine ports). */
export interface Refusal {
  /** Position in the submitted batch. */
  readonly index: number;
  readonly id?: string;
  readonly source?: string;
  readonly reason: string;
}

/** The answer to `POST /events`: what was queued and what was refused. */
export interface SubmitResult {
  readonly accepted: readonly { readonly id: string; readonly source: string }[];
  readonly refused: readonly Refusal[];
}

export const SubmitResultSchema = z.object({
  accepted: z.array(z.object({ id: z.string(), source: z.string() })),
  refused: z.array(z.object({ index: z.number().int(), id: z.string().optional(), source: z.string().optional(), reason: z.string() })),
});

/** The answer to `GET /state/verify`: the log rebuilt and compared with the live projection. */
export interface VerifyResult {
  readonly consistent: boolean;
  /** One line per object that differs. */
  readonly differences: readonly string[];
  /** The last log sequence number replayed. */
  readonly seq: number;
}

export const VerifyResultSchema = z.object({
  consistent: z.boolean(),
  differences: z.array(z.string()),
  seq: z.number().int(),
});

/** An accepted event in the log; `applied: false` when it was stale or changed nothing. */
export interface EventEntry {
  readonly seq: number;
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
  readonly kind: 'pass';
  /** The pass's `now` (RFC 3339). */
  readonly at: string;
  /** `namespace/name` of the DaemonSet. */
  readonly daemonSet: string;
  readonly decisions: readonly Decision[];
  /** Log sequence numbers of the events that made this pass necessary. */
  readonly causes: readonly number[];
}

export type LogEntry = EventEntry | PassEntry;

export const LogPageSchema = z.object({
  items: z.array(z.looseObject({ seq: z.number().int(), kind: z.enum(['event', 'pass']), at: z.string() })),
  /** The `after` to continue from: the last seq the server examined. */
  next: z.number().int().optional(),
  /** The seq the log was trimmed behind (older history is in a snapshot); 0 or absent: none. */
  horizon: z.number().int().optional(),
});

/** A page of `GET /log`: the entries, and the `after` that continues the scan. */
export interface LogPage {
  readonly items: LogEntry[];
  readonly next: number;
  readonly horizon: number;
}

/**
 * The answer to `GET /state?to=SEQ|at=TIME`: the cluster rebuilt from the
 * log. `seq` is the last entry applied; `at` the moment the state stands at
 * (`null` when no entry was applied and no time was asked).
 */
export interface ReplayedCluster {
  readonly seq: number;
  readonly at: string | null;
  readonly nodes: KubeList<Node>;
  readonly daemonSets: KubeList<DaemonSet>;
  readonly pods: KubeList<Pod>;
}

const ListSchema = z.looseObject({ apiVersion: z.string(), kind: z.string(), items: z.array(z.looseObject({})) });

export const ReplayedClusterSchema = z.object({
  seq: z.number().int(),
  at: z.string().nullable(),
  nodes: ListSchema,
  daemonSets: ListSchema,
  pods: ListSchema,
});

/**
 * A Kubernetes `v1 Event` as `GET /api/v1/namespaces/NS/events` serves it:
 * what the DaemonSet controller would have recorded (mirrors
 * `services/api/src/controller-events.ts`).
 */
export interface KubeEvent {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string; readonly creationTimestamp?: string; readonly resourceVersion?: string };
  readonly involvedObject: { readonly kind: string; readonly apiVersion?: string; readonly namespace?: string; readonly name: string; readonly uid?: string };
  readonly reason: string;
  readonly message: string;
  readonly type: string;
  readonly source?: { readonly component?: string };
  readonly reportingComponent?: string;
  /** RFC 3339, whole seconds. */
  readonly firstTimestamp?: string;
  readonly lastTimestamp?: string;
  readonly count?: number;
}

/** One line of a pod's explanation (mirrors `services/api/src/pod-history.ts`). */
export interface ExplainEntry {
  readonly seq: number;
  /** RFC 3339. */
  readonly at: string;
  readonly kind: 'event' | 'pass';
  /** What happened, in one line. */
  readonly summary: string;
  /** For an event: its CloudEvents type. */
  readonly type?: string;
  /** What the entry is about: `pod/NS/NAME`, `node/NAME`, `daemonset.apps/NS/NAME`. */
  readonly object?: string;
  /** For a pass: the seqs of the entries that caused it. */
  readonly causes?: readonly number[];
  /** For a pass: its decisions about the pod. */
  readonly decisions?: readonly Decision[];
  /** For an entry listed because it caused passes: their seqs. */
  readonly causeOf?: readonly number[];
}

/** The answer to `GET /api/v1/namespaces/NS/pods/NAME/explain`. */
export interface PodExplanation {
  readonly pod: { readonly namespace: string; readonly name: string };
  readonly entries: readonly ExplainEntry[];
}

export const PodExplanationSchema = z.object({
  pod: z.object({ namespace: z.string(), name: z.string() }),
  entries: z.array(z.looseObject({ seq: z.number().int(), at: z.string(), kind: z.enum(['event', 'pass']), summary: z.string() })),
});
