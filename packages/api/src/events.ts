/**
 * The events that enter everynode (CONTRACT §2): CloudEvents 1.0 whose `data`
 * is a Kubernetes object or a reference to one. One schema per type.
 */
import { z } from 'zod';
import { DaemonSetSchema } from './daemonset.ts';
import { ClusterObjectRefSchema, NamespacedObjectRefSchema } from './meta.ts';
import { NodeSchema } from './node.ts';
import { PodPhaseSchema, PodSchema, PodSpecSchema, PodStatusSchema } from './pod.ts';

export const EventType = {
  NodeJoined: 'io.everynode.node.joined',
  NodeUpdated: 'io.everynode.node.updated',
  NodeRemoved: 'io.everynode.node.removed',
  PodStatus: 'io.everynode.pod.status',
  PodDeleted: 'io.everynode.pod.deleted',
  DaemonSetApplied: 'io.everynode.daemonset.applied',
  DaemonSetDeleted: 'io.everynode.daemonset.deleted',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** How the types about one kind of object begin: every node event's type starts with `EventTypePrefix.Node`. */
export const EventTypePrefix = {
  Node: 'io.everynode.node.',
  Pod: 'io.everynode.pod.',
  DaemonSet: 'io.everynode.daemonset.',
} as const;

/** RFC 3339 timestamp, as CloudEvents' `time` attribute requires. */
export const TimestampSchema = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 timestamp' });

/**
 * The extension attribute an event carries when it came without `time` and
 * was stamped with its time of receipt (CloudEvents makes `time` optional;
 * everynode orders an object's events by it, so one is given).
 */
export const TimeStampedAttribute = 'everynodestamped';

/**
 * The extension attribute naming the client's field manager on a change made
 * through the resource paths (`?fieldManager=kubectl-client-side-apply`):
 * who changed what, in the log. Sixteen characters, as CloudEvents advises
 * an extension's name to stay within twenty.
 */
export const FieldManagerAttribute = 'everynodemanager';

/**
 * The extension attribute naming who made a change through the HTTP API:
 * the name of the bearer token the request carried (`alice`), set by the
 * server on every event it submits — resource writes and `POST /events`
 * alike — and never taken from the client. Absent when the API runs
 * without authentication.
 */
export const UserAttribute = 'everynodeuser';

/** The CloudEvents 1.0 context attributes everynode reads; extensions are kept. */
export const CloudEventEnvelopeSchema = z.looseObject({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  time: TimestampSchema,
  subject: z.string().optional(),
  datacontenttype: z.string().optional(),
  dataschema: z.string().optional(),
  [FieldManagerAttribute]: z.string().optional(),
  [UserAttribute]: z.string().optional(),
});
export type CloudEventEnvelope = z.infer<typeof CloudEventEnvelopeSchema>;

/** A pod status report: a pod with at least its name, node, phase (and the Ready condition). */
export const PodStatusReportSchema = PodSchema.extend({
  spec: PodSpecSchema.extend({ nodeName: z.string().min(1) }),
  status: PodStatusSchema.extend({ phase: PodPhaseSchema }),
});

function eventOf<T extends EventType, D extends z.ZodType>(type: T, data: D) {
  return CloudEventEnvelopeSchema.extend({ type: z.literal(type), data });
}

export const NodeJoinedSchema = eventOf(EventType.NodeJoined, NodeSchema);
export const NodeUpdatedSchema = eventOf(EventType.NodeUpdated, NodeSchema);
export const NodeRemovedSchema = eventOf(EventType.NodeRemoved, ClusterObjectRefSchema);
export const PodStatusReportedSchema = eventOf(EventType.PodStatus, PodStatusReportSchema);
export const PodDeletedSchema = eventOf(EventType.PodDeleted, NamespacedObjectRefSchema);
export const DaemonSetAppliedSchema = eventOf(EventType.DaemonSetApplied, DaemonSetSchema);
export const DaemonSetDeletedSchema = eventOf(EventType.DaemonSetDeleted, NamespacedObjectRefSchema);

export const ClusterEventSchema = z.discriminatedUnion('type', [
  NodeJoinedSchema,
  NodeUpdatedSchema,
  NodeRemovedSchema,
  PodStatusReportedSchema,
  PodDeletedSchema,
  DaemonSetAppliedSchema,
  DaemonSetDeletedSchema,
]);
export type ClusterEvent = z.infer<typeof ClusterEventSchema>;
export type NodeJoined = z.infer<typeof NodeJoinedSchema>;
export type NodeUpdated = z.infer<typeof NodeUpdatedSchema>;
export type NodeRemoved = z.infer<typeof NodeRemovedSchema>;
export type PodStatusReported = z.infer<typeof PodStatusReportedSchema>;
export type PodDeleted = z.infer<typeof PodDeletedSchema>;
export type DaemonSetApplied = z.infer<typeof DaemonSetAppliedSchema>;
export type DaemonSetDeleted = z.infer<typeof DaemonSetDeletedSchema>;

/** `node/NAME`, `pod/NS/NAME` or `daemonset.apps/NS/NAME`: the object an event is about. */
export function eventObject(event: ClusterEvent): string {
  const meta = ((event.data as { metadata?: { name?: string; namespace?: string } } | undefined)?.metadata ?? {}) as {
    name?: string;
    namespace?: string;
  };
  switch (event.type) {
    case EventType.NodeJoined:
    case EventType.NodeUpdated:
    case EventType.NodeRemoved:
      return `node/${meta.name ?? ''}`;
    case EventType.PodStatus:
    case EventType.PodDeleted:
      return `pod/${meta.namespace ?? 'default'}/${meta.name ?? ''}`;
    case EventType.DaemonSetApplied:
    case EventType.DaemonSetDeleted:
      return `daemonset.apps/${meta.namespace ?? 'default'}/${meta.name ?? ''}`;
    default: {
      const unknown: never = event;
      return (unknown as { type: string }).type;
    }
  }
}
