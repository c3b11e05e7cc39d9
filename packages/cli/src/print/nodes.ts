/**
 * `kubectl get nodes` (`printNode`): STATUS from the Ready condition (plus
 * `SchedulingDisabled` when cordoned), ROLES from the role labels, AGE,
 * VERSION; `-o wide` adds addresses and node info.
 */
import type { Node } from '@everynode/api';
import { ageOf } from '../age.ts';
import type { TableOptions } from './columns.ts';
import { renderTable } from './table.ts';

const headers = ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'];
const wideHeaders = ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'];

const rolePrefix = 'node-role.kubernetes.io/';
/** The legacy role label, still read by kubectl. */
const legacyRoleLabel = 'kubernetes.io/role';

/** `Ready`, `NotReady` (False or Unknown), or `Unknown` without a Ready condition; `,SchedulingDisabled` when unschedulable. */
export function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const status = [ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady'];
  if (node.spec?.unschedulable === true) status.push('SchedulingDisabled');
  return status.join(',');
}

/** kubectl's `findNodeRoles`: sorted, de-duplicated, `<none>` when there are none. */
export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(rolePrefix) && key.length > rolePrefix.length) roles.add(key.slice(rolePrefix.length));
    else if (key === legacyRoleLabel && value !== '') roles.add(value);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

interface NodeInfoLike {
  kubeletVersion?: string;
  osImage?: string;
  kernelVersion?: string;
  containerRuntimeVersion?: string;
}

function nodeInfo(node: Node): NodeInfoLike {
  return ((node.status as { nodeInfo?: NodeInfoLike } | undefined)?.nodeInfo ?? {});
}

function address(node: Node, type: string): string {
  const addresses = (node.status as { addresses?: { type?: string; address?: string }[] } | undefined)?.addresses ?? [];
  return addresses.find((a) => a.type === type)?.address || '<none>';
}

/** One node's cells. */
export function nodeCells(node: Node, options: TableOptions): string[] {
  const info = nodeInfo(node);
  const cells = [node.metadata.name, nodeStatus(node), nodeRoles(node), ageOf(node.metadata.creationTimestamp, options.now), info.kubeletVersion || '<none>'];
  if (!options.wide) return cells;
  return [
    ...cells,
    address(node, 'InternalIP'),
    address(node, 'ExternalIP'),
    info.osImage || '<unknown>',
    info.kernelVersion || '<unknown>',
    info.containerRuntimeVersion || '<unknown>',
  ];
}

/** The table for `items`. Nodes are cluster-scoped: never a NAMESPACE column. */
export function nodeTable(items: readonly Node[], options: TableOptions): string {
  return renderTable(options.wide ? [...headers, ...wideHeaders] : headers, items.map((n) => nodeCells(n, options)));
}
