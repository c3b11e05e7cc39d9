/** Small Kubernetes objects for printer and command tests. */
import type { DaemonSet, Node, Pod } from '@everynode/api';

export function daemonSet(name: string, overrides: { namespace?: string; nodeSelector?: Record<string, string>; status?: DaemonSet['status']; created?: string } = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: overrides.namespace ?? 'default', creationTimestamp: overrides.created ?? '2026-11-28T11:55:00Z' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { nodeSelector: overrides.nodeSelector, containers: [{ name, image: `registry.example/${name}:1.0` }] },
      },
    },
    status: overrides.status,
  };
}

export function node(name: string, overrides: { ready?: 'True' | 'False' | 'Unknown' | 'none'; roles?: string[]; unschedulable?: boolean; created?: string; version?: string } = {}): Node {
  const ready = overrides.ready ?? 'True';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      creationTimestamp: overrides.created ?? '2026-11-26T12:00:00Z',
      labels: Object.fromEntries([['kubernetes.io/hostname', name], ...(overrides.roles ?? []).map((r) => [`node-role.kubernetes.io/${r}`, ''])]),
    },
    spec: overrides.unschedulable ? { unschedulable: true } : {},
    status: {
      conditions: ready === 'none' ? [] : [{ type: 'Ready', status: ready }],
      ...(overrides.version ? { nodeInfo: { kubeletVersion: overrides.version } } : {}),
    },
  };
}

export function pod(name: string, overrides: { namespace?: string; nodeName?: string; phase?: 'Pending' | 'Running' | 'Failed'; ready?: boolean; deleting?: boolean; created?: string; podIP?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: overrides.namespace ?? 'default',
      creationTimestamp: overrides.created ?? '2026-11-28T11:59:00Z',
      ...(overrides.deleting ? { deletionTimestamp: '2026-11-28T11:59:30Z' } : {}),
    },
    spec: { nodeName: overrides.nodeName, containers: [{ name: 'c', image: 'i' }] },
    status: {
      phase: overrides.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: overrides.ready === false ? 'False' : 'True' }],
      ...(overrides.podIP ? { podIP: overrides.podIP } : {}),
    },
  };
}
