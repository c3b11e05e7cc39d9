/**
 * The edge: an event is admitted only if it is a CloudEvent of a type
 * docs/contract.md §2 lists, its data has the right shape, and a DaemonSet or Node in
 * it is one Kubernetes would accept. The reason names the field, in plain
 * words (`time: must be an RFC 3339 timestamp`). An event without `time`
 * (optional in CloudEvents) is stamped with its time of receipt and marked
 * so (`everynodestamped: true`), which the log then records.
 *
 * Before any of that, the event's bounds (`JsonLimits`): nested at most 64
 * deep, no prototype-polluting key, at most 1 MiB of JSON, extension
 * attributes scalars with CloudEvents names. Checked first and without
 * recursion, so that nothing after (zod, `JSON.stringify` when queued, a
 * logger) ever sees a value it could choke on, and a refusal quotes at most
 * a short piece of what it refused.
 */
import {
  type ClusterEvent,
  ClusterEventSchema,
  type DaemonSet,
  DefaultJsonLimits,
  EventType,
  extensionAttributeProblems,
  formatFieldError,
  type JsonLimits,
  jsonShapeProblem,
  parseDaemonSet,
  parseNode,
  TimeStampedAttribute,
  truncateText,
  validateObjectReference,
} from '@everynode/api';
import type { z } from 'zod';

/** Characters at most in a refusal's reason: every problem of a huge event, listed, would be a huge answer. */
export const ReasonMaxChars = 4096;

export type Admission = { readonly ok: true; readonly event: ClusterEvent } | { readonly ok: false; readonly reason: string };

/**
 * Validate one raw event. `current` gives the stored DaemonSet an applied one
 * would replace (its selector is immutable); `receivedAt` (ms) is the time
 * an event without `time` is stamped with — the same on every retry of one
 * delivery (a job's timestamp), so a retry admits the same event.
 */
export function admit(raw: unknown, current?: (namespace: string, name: string) => DaemonSet | undefined, receivedAt?: number, limits: JsonLimits = DefaultJsonLimits): Admission {
  const bounds = boundsProblem(raw, limits);
  if (bounds !== undefined) return refuse(bounds);
  const parsed = ClusterEventSchema.safeParse(stamped(raw, receivedAt));
  if (!parsed.success) return refuse(describe(raw, parsed.error));
  const event = parsed.data;
  switch (event.type) {
    case EventType.DaemonSetApplied: {
      const namespace = event.data.metadata.namespace ?? 'default';
      const old = current?.(namespace, event.data.metadata.name ?? '');
      const ds = parseDaemonSet(event.data, old);
      if (!ds.ok) return refuse(ds.message);
      return { ok: true, event: { ...event, data: ds.value } };
    }
    case EventType.NodeJoined:
    case EventType.NodeUpdated: {
      const node = parseNode(event.data);
      return node.ok ? { ok: true, event } : refuse(node.message);
    }
    case EventType.NodeRemoved:
    case EventType.PodStatus:
    case EventType.PodDeleted:
    case EventType.DaemonSetDeleted: {
      const errors = validateObjectReference(event.data.metadata);
      return errors.length === 0 ? { ok: true, event } : refuse(errors.map((e) => formatFieldError({ ...e, field: `data.${e.field}` })).join('; '));
    }
    default: {
      const unknown: never = event;
      return refuse(`unknown event type ${JSON.stringify((unknown as { type: string }).type)}`);
    }
  }
}

const refuse = (reason: string): Admission => ({ ok: false, reason: truncateText(reason, ReasonMaxChars) });

/**
 * The event's bounds, before anything else reads it: its nesting and keys
 * (`jsonShapeProblem`), then its size (safe to serialize once its depth is
 * bounded), then its extension attributes.
 */
function boundsProblem(raw: unknown, limits: JsonLimits): string | undefined {
  const shape = jsonShapeProblem(raw, limits.maxDepth);
  if (shape !== undefined) return `${shape.field === '' ? 'the event' : shape.field}: ${shape.reason}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const bytes = Buffer.byteLength(JSON.stringify(raw));
  if (bytes > limits.maxEventBytes) return `the event: ${bytes} bytes of JSON, more than the limit of ${limits.maxEventBytes}`;
  const extensions = extensionAttributeProblems(raw as Record<string, unknown>);
  return extensions.length > 0 ? extensions.join('; ') : undefined;
}

/** `raw` with `time` set to `receivedAt` and the stamp's mark, when it is an object without `time`. */
function stamped(raw: unknown, receivedAt: number | undefined): unknown {
  if (receivedAt === undefined || typeof raw !== 'object' || raw === null || Array.isArray(raw) || 'time' in raw) return raw;
  return { ...raw, time: new Date(receivedAt).toISOString(), [TimeStampedAttribute]: true };
}

/** A schema error as `field: what is wrong` per problem, after what the event claimed to be, so a dead letter is readable alone. */
function describe(raw: unknown, error: z.ZodError): string {
  // Only a string type is quoted: any other (`{"toString": 1}`) is for the schema's issues to name.
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  const types = Object.values(EventType) as string[];
  if (typeof type === 'string' && !types.includes(type)) return `unknown event type ${JSON.stringify(truncateText(type))}: expected one of ${types.join(', ')}`;
  return error.issues.map((issue) => `${fieldOf(issue.path) || 'the event'}: ${wording(issue)}`).join('; ');
}

/** `data.spec.taints[0].effect`, as Kubernetes names fields. */
function fieldOf(path: readonly PropertyKey[]): string {
  // A key is the client's text, a label's a megabyte perhaps: quoted short.
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${truncateText(String(part))}`)).join('');
}

function wording(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  return issue.message;
}
