/**
 * The edge: an event is admitted only if it is a CloudEvent of a type
 * CONTRACT §2 lists, its data has the right shape, and a DaemonSet or Node in
 * it is one Kubernetes would accept. The reason names the field, in plain
 * words (`time: must be an RFC 3339 timestamp`). An event without `time`
 * (optional in CloudEvents) is stamped with its time of receipt and marked
 * so (`everynodestamped: true`), which the log then records.
 */
import { type ClusterEvent, ClusterEventSchema, type DaemonSet, EventType, parseDaemonSet, parseNode, TimeStampedAttribute } from '@everynode/api';
import type { z } from 'zod';

export type Admission = { readonly ok: true; readonly event: ClusterEvent } | { readonly ok: false; readonly reason: string };

/**
 * Validate one raw event. `current` gives the stored DaemonSet an applied one
 * would replace (its selector is immutable); `receivedAt` (ms) is the time
 * an event without `time` is stamped with — the same on every retry of one
 * delivery (a job's timestamp), so a retry admits the same event.
 */
export function admit(raw: unknown, current?: (namespace: string, name: string) => DaemonSet | undefined, receivedAt?: number): Admission {
  const parsed = ClusterEventSchema.safeParse(stamped(raw, receivedAt));
  if (!parsed.success) return { ok: false, reason: describe(raw, parsed.error) };
  const event = parsed.data;
  if (event.type === EventType.DaemonSetApplied) {
    const namespace = event.data.metadata.namespace ?? 'default';
    const old = current?.(namespace, event.data.metadata.name ?? '');
    const ds = parseDaemonSet(event.data, old);
    if (!ds.ok) return { ok: false, reason: ds.message };
    return { ok: true, event: { ...event, data: ds.value } };
  }
  if (event.type === EventType.NodeJoined || event.type === EventType.NodeUpdated) {
    const node = parseNode(event.data);
    if (!node.ok) return { ok: false, reason: node.message };
  }
  return { ok: true, event };
}

/** `raw` with `time` set to `receivedAt` and the stamp's mark, when it is an object without `time`. */
function stamped(raw: unknown, receivedAt: number | undefined): unknown {
  if (receivedAt === undefined || typeof raw !== 'object' || raw === null || Array.isArray(raw) || 'time' in raw) return raw;
  return { ...raw, time: new Date(receivedAt).toISOString(), [TimeStampedAttribute]: true };
}

/** A schema error as `field: what is wrong` per problem, after what the event claimed to be, so a dead letter is readable alone. */
function describe(raw: unknown, error: z.ZodError): string {
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type) : undefined;
  const types = Object.values(EventType) as string[];
  if (type !== undefined && !types.includes(type)) return `unknown event type "${type}": expected one of ${types.join(', ')}`;
  return error.issues.map((issue) => `${fieldOf(issue.path) || 'the event'}: ${wording(issue)}`).join('; ');
}

/** `data.spec.taints[0].effect`, as Kubernetes names fields. */
function fieldOf(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

function wording(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  return issue.message;
}
