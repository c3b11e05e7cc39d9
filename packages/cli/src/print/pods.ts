/**
 * `kubectl get pods` (`printPod`): READY containers, STATUS, RESTARTS, AGE;
 * `-o wide` adds IP, NODE, NOMINATED NODE and READINESS GATES.
 */
import type { Pod } from '@everynode/api';
import { ageOf } from '../age.ts';
import type { TableOptions } from './columns.ts';
import { withNamespaceColumn } from './columns.ts';
import { renderTable } from './table.ts';

const headers = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'];
const wideHeaders = ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'];

/** The pod status fields kubectl reads that the schema leaves open. */
interface PodStatusExtras {
  podIP?: string;
  nominatedNodeName?: string;
  containerStatuses?: { ready?: boolean; restartCount?: number }[];
}

function extras(pod: Pod): PodStatusExtras {
  return (pod.status ?? {}) as PodStatusExtras;
}

function isConditionTrue(pod: Pod, type: string): boolean {
  return pod.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}

/**
 * `ready/total` containers. Pods reported through `pod.status` events often
 * carry only the Ready condition, so without container statuses all
 * containers count as ready exactly when the pod is.
 */
export function podReady(pod: Pod): string {
  const total = pod.spec.containers?.length ?? 0;
  const statuses = extras(pod).containerStatuses;
  const ready = statuses !== undefined ? statuses.filter((s) => s.ready === true).length : isConditionTrue(pod, 'Ready') ? total : 0;
  return `${ready}/${total}`;
}

/** The phase, or the status reason when set; `Terminating` once deletion started (`Unknown` for a lost node, as kubectl). */
export function podStatus(pod: Pod): string {
  const reason = pod.status?.reason || pod.status?.phase || 'Pending';
  if (pod.metadata.deletionTimestamp === undefined) return reason;
  return pod.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
}

function restarts(pod: Pod): string {
  return String((extras(pod).containerStatuses ?? []).reduce((sum, s) => sum + (s.restartCount ?? 0), 0));
}

function readinessGates(pod: Pod): string {
  const gates = (pod.spec as { readinessGates?: { conditionType?: string }[] }).readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const met = gates.filter((g) => g.conditionType !== undefined && isConditionTrue(pod, g.conditionType)).length;
  return `${met}/${gates.length}`;
}

/** One pod's cells, without NAMESPACE. */
export function podCells(pod: Pod, options: TableOptions): string[] {
  const cells = [pod.metadata.name, podReady(pod), podStatus(pod), restarts(pod), ageOf(pod.metadata.creationTimestamp, options.now)];
  if (!options.wide) return cells;
  const status = extras(pod);
  return [...cells, status.podIP || '<none>', pod.spec.nodeName || '<none>', status.nominatedNodeName || '<none>', readinessGates(pod)];
}

/** The table for `items`. */
export function podTable(items: readonly Pod[], options: TableOptions): string {
  const table = withNamespaceColumn(
    options,
    options.wide ? [...headers, ...wideHeaders] : headers,
    items.map((pod) => ({ namespace: pod.metadata.namespace, cells: podCells(pod, options) })),
  );
  return renderTable(table.headers, table.rows);
}
