/**
 * The events that enter everynode (docs/contract.md §2): CloudEvents 1.0 whose `data`
 * is a Kubernetes object or a reference to one. One schema per type.
 */
import * as z from 'zod';
import { lazySchema } from './lazy-schema.ts';
import { DaemonSetSchema } from './daemonset.ts';
import { truncateText } from './json-limits.ts';
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
export const TimestampSchema = lazySchema(() => z.iso.datetime({ offset: true, error: 'must be an RFC 3339 timestamp' }));

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
 * The extension attribute that makes a change conditional, as a Kubernetes
 * write naming `metadata.resourceVersion` is: the event applies only if the
 * object it changes is still at this resourceVersion when it is committed
 * (checked inside the atomic commit, so two writers naming the same version
 * cannot both win). Otherwise it is logged with `ignored` beginning with
 * `PreconditionFailedPrefix` and changes nothing; the API answers 409.
 */
export const IfVersionAttribute = 'everynodeifversion';

/** How the `ignored` of an event whose `IfVersionAttribute` did not hold begins. */
export const PreconditionFailedPrefix = 'precondition failed:';

/** The `ignored` of an event that named `expected` as its object's resourceVersion when it was `current`. */
export function preconditionFailed(expected: string, current: string): string {
  return `${PreconditionFailedPrefix} it names resourceVersion ${expected}, the object is at ${current}`;
}

/**
 * The extension attribute naming who made a change through the HTTP API:
 * the name of the bearer token the request carried (`alice`), set by the
 * server on every event it submits — resource writes and `POST /events`
 * alike — and never taken from the client. Absent when the API runs
 * without authentication.
 */
export const UserAttribute = 'everynodeuser';

/**
 * Characters at most in each CloudEvents context attribute, and in an
 * extension attribute's string value: an id, a source or a type is a name,
 * not a payload (the spec sets no bound; the log keeps them for ever).
 */
export const AttributeMaxChars = {
  id: 256,
  source: 1024,
  type: 256,
  subject: 1024,
  datacontenttype: 256,
  dataschema: 1024,
  extension: 1024,
} as const;

/**
 * What CloudEvents' String type disallows: control characters (U+0000–U+001F,
 * U+007F–U+009F), noncharacters (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF) and
 * surrogate code points not in a pair. Keeping them out also keeps ids
 * apart: the log's idempotency key is `source`, a newline, `id`.
 */
const disallowedInAttribute = /[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]/u;

/** Whether `text` is a CloudEvents String: no control characters, noncharacters or unpaired surrogates. */
export function isAttributeText(text: string): boolean {
  return !disallowedInAttribute.test(text);
}

const attributeTextMessage = 'must not contain control characters, Unicode noncharacters or unpaired surrogates';
const attribute = (max: number) => z.string().max(max, `must be at most ${max} characters`).refine(isAttributeText, attributeTextMessage);

/** The CloudEvents 1.0 context attributes everynode reads; extensions are kept (and checked by `extensionAttributeProblems`). */
export const CloudEventEnvelopeSchema = lazySchema(() => z.looseObject({
  specversion: z.literal('1.0'),
  id: attribute(AttributeMaxChars.id).min(1),
  source: attribute(AttributeMaxChars.source).min(1),
  type: attribute(AttributeMaxChars.type).min(1),
  time: TimestampSchema,
  subject: attribute(AttributeMaxChars.subject).optional(),
  datacontenttype: attribute(AttributeMaxChars.datacontenttype).optional(),
  dataschema: attribute(AttributeMaxChars.dataschema).optional(),
  [FieldManagerAttribute]: z.string().optional(),
  [IfVersionAttribute]: z.string().optional(),
  [UserAttribute]: z.string().optional(),
}));

/** Members of a JSON-format CloudEvent that are not extension attributes. */
const envelopeMembers = new Set(['specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype', 'dataschema', 'data', 'data_base64']);

/** CloudEvents' attribute naming rule: lower-case ASCII letters and digits; the spec advises at most 20, which everynode holds to. */
const extensionName = /^[a-z0-9]{1,20}$/;

/**
 * What is wrong with `event`'s extension attributes (every member but the
 * context attributes, `data` and `data_base64`), one `name: reason` each:
 * a name of lower-case letters and digits, at most 20; a value a string (at
 * most `AttributeMaxChars.extension` characters), a number or a boolean —
 * CloudEvents attributes are scalars, never objects or arrays.
 */
export function extensionAttributeProblems(event: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(event)) {
    if (envelopeMembers.has(name)) continue;
    const quoted = JSON.stringify(truncateText(name, 40));
    if (!extensionName.test(name)) {
      problems.push(`${quoted}: an extension attribute's name must be 1 to 20 lower-case letters (a-z) or digits`);
      continue;
    }
    if (typeof value === 'string') {
      if (value.length > AttributeMaxChars.extension) problems.push(`${name}: must be at most ${AttributeMaxChars.extension} characters`);
      else if (!isAttributeText(value)) problems.push(`${name}: ${attributeTextMessage}`);
    } else if (typeof value !== 'boolean' && typeof value !== 'number') {
      problems.push(`${name}: an extension attribute must be a string, a number or a boolean, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value}`);
    }
  }
  return problems;
}
export type CloudEventEnvelope = z.infer<typeof CloudEventEnvelopeSchema>;

/** A pod status report: a pod with at least its name, node, phase (and the Ready condition). */
export const PodStatusReportSchema = lazySchema(() => PodSchema.extend({
  spec: PodSpecSchema.extend({ nodeName: z.string().min(1) }),
  status: PodStatusSchema.extend({ phase: PodPhaseSchema }),
}));

function eventOf<T extends EventType, D extends z.ZodType>(type: T, data: D) {
  return CloudEventEnvelopeSchema.extend({ type: z.literal(type), data });
}

export const NodeJoinedSchema = lazySchema(() => eventOf(EventType.NodeJoined, NodeSchema));
export const NodeUpdatedSchema = lazySchema(() => eventOf(EventType.NodeUpdated, NodeSchema));
export const NodeRemovedSchema = lazySchema(() => eventOf(EventType.NodeRemoved, ClusterObjectRefSchema));
export const PodStatusReportedSchema = lazySchema(() => eventOf(EventType.PodStatus, PodStatusReportSchema));
export const PodDeletedSchema = lazySchema(() => eventOf(EventType.PodDeleted, NamespacedObjectRefSchema));
export const DaemonSetAppliedSchema = lazySchema(() => eventOf(EventType.DaemonSetApplied, DaemonSetSchema));

/**
 * What becomes of a deleted object's dependents (`metav1.DeletionPropagation`):
 * `Background` — the object goes at once and its dependents are deleted
 * after; `Foreground` — the dependents are deleted first, and the object
 * (marked with a `deletionTimestamp` and the `foregroundDeletion` finalizer)
 * goes once they are gone; `Orphan` — the object goes and its dependents stay,
 * with their owner references to it removed.
 */
export const PropagationPolicy = { Background: 'Background', Foreground: 'Foreground', Orphan: 'Orphan' } as const;
export type PropagationPolicy = (typeof PropagationPolicy)[keyof typeof PropagationPolicy];
export const PropagationPolicySchema = lazySchema(() => z.enum(PropagationPolicy));

/**
 * A DaemonSet deletion: the reference, and how its pods go. Without
 * `propagationPolicy` (every event before it existed) it is `Background`,
 * which is what a deletion always was.
 */
export const DaemonSetDeletionSchema = lazySchema(() => NamespacedObjectRefSchema.extend({
  propagationPolicy: PropagationPolicySchema.optional().describe('Background (default), Foreground or Orphan: what becomes of the DaemonSet\'s pods.'),
}));
export type DaemonSetDeletion = z.infer<typeof DaemonSetDeletionSchema>;

export const DaemonSetDeletedSchema = lazySchema(() => eventOf(EventType.DaemonSetDeleted, DaemonSetDeletionSchema));

export const ClusterEventSchema = lazySchema(() => z.discriminatedUnion('type', [
  NodeJoinedSchema,
  NodeUpdatedSchema,
  NodeRemovedSchema,
  PodStatusReportedSchema,
  PodDeletedSchema,
  DaemonSetAppliedSchema,
  DaemonSetDeletedSchema,
]));
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
