/**
 * What everynode's HTTP API answers (docs/contract.md §4), declared once for the
 * server that sends it and the client that reads it. Kubernetes-shaped
 * answers (lists, `Status`, `v1 Event`) keep unknown fields, as every
 * Kubernetes schema here does; everynode's own answers are closed.
 *
 * The objects inside an answer (nodes, pods, DaemonSets, CloudEvents,
 * decisions) are `carried`: typed, not checked again (see `carried.ts`).
 */
import * as z from 'zod';
import { lazySchema } from './lazy-schema.ts';
import { carried } from './carried.ts';
import { DaemonSetSchema } from './daemonset.ts';
import { DecisionSchema } from './decisions.ts';
import { LogEntrySchema } from './log-entries.ts';
import { ObjectMetaSchema } from './meta.ts';
import { NodeSchema } from './node.ts';
import { PodSchema } from './pod.ts';
import { DeadLetterJobDataSchema } from './queues.ts';

// Kubernetes --------------------------------------------------------------------

/** A Kubernetes list of `item` (`DaemonSetList`, `NodeList`, …): `items` plus list metadata. */
export function kubeListOf<I extends z.ZodType>(item: I) {
  return z.looseObject({
    apiVersion: z.string(),
    /** `<Kind>List`. */
    kind: z.string(),
    /** `resourceVersion`: the log's last seq when the list was read (a watch resumes from it); empty for a list of the past. */
    metadata: z.looseObject({ resourceVersion: z.string().optional() }),
    items: z.array(item),
  });
}

/** A Kubernetes list whose items are not looked at. */
export const KubeListSchema = lazySchema(() => kubeListOf(z.unknown()));
export type KubeList<T> = Readonly<z.infer<ReturnType<typeof kubeListOf<z.ZodType<T>>>>>;

/** What a watch event says happened (`watch.EventType`). */
export const WatchEventTypes = ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'] as const;
export type WatchEventType = (typeof WatchEventTypes)[number];

/**
 * One line of a watch stream (`metav1.WatchEvent`): the object as it is
 * after the change (as it last was, for DELETED), a BOOKMARK's object
 * carrying only `metadata.resourceVersion`, an ERROR's a `Status`.
 */
export const WatchEventSchema = lazySchema(() => z.looseObject({
  type: z.enum(WatchEventTypes),
  object: z.looseObject({}),
}));
export type WatchEvent = z.infer<typeof WatchEventSchema>;

/** One rejected field of a 422 (`metav1.StatusCause`). */
export const StatusCauseSchema = lazySchema(() => z.looseObject({
  field: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
}));
export type StatusCause = z.infer<typeof StatusCauseSchema>;

/** What a Status is about (`metav1.StatusDetails`); `group` is absent for the core group. */
export const StatusDetailsSchema = lazySchema(() => z.looseObject({
  name: z.string().optional(),
  group: z.string().optional(),
  kind: z.string().optional(),
  causes: z.array(StatusCauseSchema).readonly().optional(),
  /** How long the client should wait before retrying (a 429 or 503 says it in `Retry-After` too). */
  retryAfterSeconds: z.number().int().optional(),
}));
export type StatusDetails = z.infer<typeof StatusDetailsSchema>;

/**
 * A Kubernetes `Status` (`metav1.Status`), the body of every error answer
 * (and of a DELETE that removed the object at once). `code` is absent only
 * on a Success.
 */
export const StatusSchema = lazySchema(() => z.looseObject({
  kind: z.literal('Status'),
  apiVersion: z.string().optional(),
  metadata: z.looseObject({}).optional(),
  /** `Success` or `Failure`. */
  status: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  details: StatusDetailsSchema.optional(),
  code: z.number().optional(),
}));
export type Status = z.infer<typeof StatusSchema>;

/**
 * A Kubernetes `v1 Event` as `GET /api/v1/namespaces/NS/events` serves it:
 * what the DaemonSet controller would have recorded, derived from the log's
 * passes (the fields kubectl reads, and the selectable ones).
 */
export const KubeEventSchema = lazySchema(() => z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string(),
    creationTimestamp: z.string().optional(),
    resourceVersion: z.string().optional(),
  }),
  involvedObject: z.looseObject({
    kind: z.string(),
    apiVersion: z.string().optional(),
    namespace: z.string().optional(),
    name: z.string(),
    uid: z.string().optional(),
  }),
  reason: z.string(),
  message: z.string(),
  /** `Normal` or `Warning`. */
  type: z.string(),
  source: z.looseObject({ component: z.string().optional() }).optional(),
  reportingComponent: z.string().optional(),
  reportingInstance: z.string().optional(),
  /** RFC 3339, whole seconds. */
  firstTimestamp: z.string().optional(),
  lastTimestamp: z.string().optional(),
  count: z.number().int().optional(),
}));
export type KubeEvent = z.infer<typeof KubeEventSchema>;

/**
 * A `v1 Namespace` as `GET /api/v1/namespaces/NS` serves it: namespaces exist
 * implicitly in everynode, so each is only a name and `Active`.
 */
export const NamespaceSchema = lazySchema(() => z
  .looseObject({
    apiVersion: z.literal('v1'),
    kind: z.literal('Namespace'),
    metadata: ObjectMetaSchema,
    status: z.looseObject({ phase: z.string().optional().describe('Active: everynode namespaces are never terminating.') }).optional(),
  })
  .describe('Namespace provides a scope for names. In everynode any namespace may hold DaemonSets; none is created or deleted.'));
export type Namespace = z.infer<typeof NamespaceSchema>;

// Events in -----------------------------------------------------------------------

/** Why the engine refused one event of a batch: the field and the reason, as `z.prettifyError` words it. */
export const RefusalSchema = lazySchema(() => z
  .object({
    /** Position in the submitted batch. */
    index: z.number().int(),
    id: z.string().optional(),
    source: z.string().optional(),
    reason: z.string(),
  })
  .readonly());
export type Refusal = z.infer<typeof RefusalSchema>;

/** The answer to `POST /events` (202, or 400 when every event was refused): what was queued and what was refused. */
export const SubmitResultSchema = lazySchema(() => z
  .object({
    /** `id`s of the events queued (and, with `wait`, committed to the log). */
    accepted: z
      .array(
        z
          .object({
            id: z.string(),
            source: z.string(),
            /** With `wait`: the event named a resourceVersion (`everynodeifversion`) its object was no longer at — logged, it changed nothing. */
            conflict: z.string().optional(),
          })
          .readonly(),
      )
      .readonly(),
    refused: z.array(RefusalSchema).readonly(),
  })
  .readonly());
export type SubmitResult = z.infer<typeof SubmitResultSchema>;

// The log and what is derived from it ----------------------------------------------

/** A page of `GET /log`: the entries, and the `after` that continues the scan. */
export const LogPageSchema = lazySchema(() => z.object({
  items: z.array(LogEntrySchema),
  /** The `after` to continue from: the last seq the server examined. */
  next: z.number().int(),
  /** The seq the log was trimmed behind (older history is in a snapshot); 0: none. */
  horizon: z.number().int(),
}));
export type LogPage = Readonly<z.infer<typeof LogPageSchema>>;

/** The answer to `GET /state/verify`: the log rebuilt and compared with the live projection. */
export const VerifyResultSchema = lazySchema(() => z
  .object({
    consistent: z.boolean(),
    /** Human-readable differences, one per object (`pod/default/x: live has …, log implies …`). */
    differences: z.array(z.string()).readonly(),
    /** The last log sequence number replayed. */
    seq: z.number().int(),
  })
  .readonly());
export type VerifyResult = z.infer<typeof VerifyResultSchema>;

/**
 * The answer to `GET /state?to=SEQ|at=TIME`: the cluster rebuilt from the
 * log. `seq` is the last entry applied; `at` the moment the state stands at
 * (`null` when no entry was applied and no time was asked).
 */
export const ReplayedClusterSchema = lazySchema(() => z
  .object({
    seq: z.number().int(),
    at: z.string().nullable(),
    nodes: kubeListOf(carried(NodeSchema)),
    daemonSets: kubeListOf(carried(DaemonSetSchema)),
    pods: kubeListOf(carried(PodSchema)),
  })
  .readonly());
export type ReplayedCluster = z.infer<typeof ReplayedClusterSchema>;

/** One line of a pod's explanation. */
export const ExplainEntrySchema = lazySchema(() => z
  .object({
    seq: z.number().int(),
    /** When the engine accepted the event, or the pass's time (RFC 3339). */
    at: z.string(),
    kind: z.enum(['event', 'pass']),
    /** What happened, in one line. */
    summary: z.string(),
    /** For an event: its CloudEvents type. */
    type: z.string().optional(),
    /** For an event: what it is about (`pod/NS/NAME`, `node/NAME`, …); for a pass: its DaemonSet. */
    object: z.string().optional(),
    /** For a pass: the seqs of the entries that caused it. */
    causes: z.array(z.number().int()).readonly().optional(),
    /** For a pass: its decisions about the pod. */
    decisions: z.array(carried(DecisionSchema)).readonly().optional(),
    /** For an entry listed because it caused passes: their seqs. */
    causeOf: z.array(z.number().int()).readonly().optional(),
  })
  .readonly());
export type ExplainEntry = z.infer<typeof ExplainEntrySchema>;

/** The answer to `GET /api/v1/namespaces/NS/pods/NAME/explain`: the pod's history, in log order. */
export const PodExplanationSchema = lazySchema(() => z
  .object({
    pod: z.object({ namespace: z.string(), name: z.string() }).readonly(),
    entries: z.array(ExplainEntrySchema).readonly(),
  })
  .readonly());
export type PodExplanation = z.infer<typeof PodExplanationSchema>;

// Dead letters ------------------------------------------------------------------

/** One dead letter (`GET /dlq`): a refused event or a parked message, why, and where it came from. */
export const DeadLetterSchema = lazySchema(() => DeadLetterJobDataSchema.extend({
  /** Its id in the `dead-letter` queue: what `show`, `replay` and `drop` name. */
  id: z.string(),
  /** `refused` (an event that failed validation) or `parked` (a message that is no event, or an event whose `events` job failed for good). */
  kind: z.string(),
}));
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

/** `GET /dlq`: the oldest first, `offset` skipped, at most `limit`; `total` counts them all. */
export const DeadLetterPageSchema = lazySchema(() => z.object({ items: z.array(DeadLetterSchema), total: z.number().int().nonnegative() }));
export type DeadLetterPage = z.infer<typeof DeadLetterPageSchema>;
