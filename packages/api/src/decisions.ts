/**
 * A reconcile pass's decisions (docs/contract.md §4 `GET /log`, a pass entry's
 * `decisions`): what the core (`@everynode/daemonset`) decides and the log
 * records. Declared here, with the wire, because the log and every answer
 * that carries decisions (`GET /log`, `explain`) are read by processes that
 * do not run the core; the core builds and narrows these types.
 */
import * as z from 'zod';
import { lazySchema } from './lazy-schema.ts';
import { ControllerRevisionSchema, DaemonSetStatusSchema } from './daemonset.ts';
import { OwnerReferenceSchema } from './meta.ts';
import { PodSchema } from './pod.ts';

/** Why a pod is deleted; carried in the `io.everynode.pod.delete` command's `reason`. */
export const DeleteReason = {
  /** The pod failed (after its backoff). */
  Failed: 'Failed',
  /** The pod succeeded: daemon pods must keep running. */
  Succeeded: 'Succeeded',
  /** More than one pod on the node: the extra ones go. */
  Duplicate: 'Duplicate',
  /** The node no longer qualifies (selector, affinity or a NoExecute taint). */
  NodeIneligible: 'NodeIneligible',
  /** The node was removed from the cluster. */
  NodeRemoved: 'NodeRemoved',
  /** A rolling update replaces an old pod. */
  RollingUpdate: 'RollingUpdate',
  /** The DaemonSet was deleted (cascading delete). */
  DaemonSetDeleted: 'DaemonSetDeleted',
} as const;
export type DeleteReason = (typeof DeleteReason)[keyof typeof DeleteReason];
export const DeleteReasonSchema = lazySchema(() => z.enum(DeleteReason));

/**
 * Failed-pod backoff for one node (Kubernetes keys it
 * `<ds uid>/<generation>/<node>`; a new generation starts afresh).
 */
export const FailedPodBackoffSchema = lazySchema(() => z
  .object({
    /** The DaemonSet generation the entry belongs to. */
    generation: z.number().int(),
    /** The current delay: 1 s, doubling up to 15 min. */
    delayMs: z.number(),
    /** When the last failed pod on this node was killed (milliseconds since the epoch). */
    lastAt: z.number(),
  })
  .readonly());
export type FailedPodBackoff = z.infer<typeof FailedPodBackoffSchema>;

/**
 * A pass's decisions: the log entries it appends. Past tense: each says what
 * was decided. A discriminated union on `type`; every variant is read-only.
 */
export const DecisionSchema = lazySchema(() => z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('PodCreateRequested'),
      /** Deterministic: the same decision always yields the same id. */
      commandId: z.string(),
      node: z.string(),
      pod: PodSchema,
    })
    .readonly(),
  z
    .object({
      type: z.literal('PodDeleteRequested'),
      commandId: z.string(),
      namespace: z.string(),
      name: z.string(),
      node: z.string(),
      reason: DeleteReasonSchema,
      /**
       * Removed from the projection at once rather than marked terminating:
       * the node is gone, so no agent will confirm (PodGC's force delete).
       */
      force: z.boolean(),
    })
    .readonly(),
  z.object({ type: z.literal('PodAdopted'), namespace: z.string(), name: z.string(), owner: OwnerReferenceSchema }).readonly(),
  z.object({ type: z.literal('PodReleased'), namespace: z.string(), name: z.string() }).readonly(),
  z.object({ type: z.literal('PodRelabeled'), namespace: z.string(), name: z.string(), hash: z.string() }).readonly(),
  z.object({ type: z.literal('RevisionCreated'), revision: ControllerRevisionSchema }).readonly(),
  z.object({ type: z.literal('RevisionRenumbered'), name: z.string(), revision: z.number().int() }).readonly(),
  z.object({ type: z.literal('RevisionDeleted'), name: z.string() }).readonly(),
  z.object({ type: z.literal('FailedPodBackoffRecorded'), node: z.string(), backoff: FailedPodBackoffSchema }).readonly(),
  z.object({ type: z.literal('DaemonSetStatusUpdated'), status: DaemonSetStatusSchema }).readonly(),
  /**
   * The DaemonSet's deletion finalizer is done with (`foregroundDeletion`:
   * its last pod is gone); with none left, the DaemonSet goes.
   */
  z.object({ type: z.literal('FinalizerRemoved'), finalizer: z.string() }).readonly(),
]));
export type Decision = z.infer<typeof DecisionSchema>;
export type DecisionType = Decision['type'];
