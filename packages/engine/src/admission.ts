/**
 * The edge: an event is admitted only if it is a CloudEvent of a type
 * CONTRACT §2 lists, its data has the right shape, and a DaemonSet or Node in
 * it is one Kubernetes would accept. The reason names the field.
 */
import { type ClusterEvent, ClusterEventSchema, type DaemonSet, EventType, parseDaemonSet, parseNode } from '@everynode/api';
import { z } from 'zod';

export type Admission = { readonly ok: true; readonly event: ClusterEvent } | { readonly ok: false; readonly reason: string };

/**
 * Validate one raw event. `current` gives the stored DaemonSet an applied one
 * would replace (its selector is immutable).
 */
export function admit(raw: unknown, current?: (namespace: string, name: string) => DaemonSet | undefined): Admission {
  const parsed = ClusterEventSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: describe(raw, z.prettifyError(parsed.error)) };
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

/** Prefix a schema error with what the event claimed to be, so a dead letter is readable alone. */
function describe(raw: unknown, reason: string): string {
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type) : undefined;
  const types = Object.values(EventType) as string[];
  if (type !== undefined && !types.includes(type)) return `unknown event type "${type}": expected one of ${types.join(', ')}`;
  return reason.replaceAll('\n', '; ');
}
