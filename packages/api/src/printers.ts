/**
 * kubectl's columns for each resource, once for the API server's Table
 * answers (`as=Table`) and the CLI's own tables: the column definitions and
 * cells of kubernetes `pkg/printers/internalversion/printers.go`
 * (`printDaemonSet`, `printPod`, `printNode`, `printControllerRevision`,
 * `printNamespace`, `printEvent`). Cells are what the API server puts in a
 * Table — integers as numbers, ages as kubectl prints them (`5m`) — and a
 * column of priority 1 is shown only with `-o wide`.
 */
import { ageOf } from './age.ts';
import type { ControllerRevision, DaemonSet } from './daemonset.ts';
import { formatLabels, formatLabelSelector } from './labels.ts';
import { controllerOf } from './meta.ts';
import type { Node } from './node.ts';
import type { Pod } from './pod.ts';
import type { KubeEvent } from './replies.ts';

/** `metav1.TableColumnDefinition`. */
export interface TableColumnDefinition {
  /** As upstream spells it (`Up-to-date`); kubectl upper-cases it for the header. */
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** `name` for the object's name column, else empty. */
  readonly format: string;
  readonly description: string;
  /** 0: always shown; 1: only with `-o wide`. */
  readonly priority: number;
}

/** A Table cell: text, or a number for an `integer` column. */
export type TableCell = string | number;

/** How one resource prints: its columns, and one object's cells (one per column, wide ones included). */
export interface ResourcePrinter<T> {
  readonly columns: readonly TableColumnDefinition[];
  cells(object: T, now: Date): TableCell[];
}

const nameDescription =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const ageDescription =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

function column(name: string, description: string, options: { type?: TableColumnDefinition['type']; priority?: number } = {}): TableColumnDefinition {
  return { name, type: options.type ?? 'string', format: '', description, priority: options.priority ?? 0 };
}
const nameColumn: TableColumnDefinition = { ...column('Name', nameDescription), format: 'name' };
const ageColumn = column('Age', ageDescription);
const wide = { priority: 1 };

// DaemonSets ---------------------------------------------------------------------

export const daemonSetPrinter: ResourcePrinter<DaemonSet> = {
  columns: [
    nameColumn,
    column('Desired', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).', { type: 'integer' }),
    column('Current', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', { type: 'integer' }),
    column('Ready', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.', { type: 'integer' }),
    column('Up-to-date', 'The total number of nodes that are running updated daemon pod', { type: 'integer' }),
    column('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', { type: 'integer' }),
    column('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    ageColumn,
    column('Containers', 'Names of each container in the template.', wide),
    column('Images', 'Images referenced by each container in the template.', wide),
    column('Selector', 'A label query over pods that are managed by the daemon set.', wide),
  ],
  cells(ds, now) {
    const status = ds.status;
    const containers = ds.spec.template.spec.containers ?? [];
    return [
      ds.metadata.name ?? '',
      status?.desiredNumberScheduled ?? 0,
      status?.currentNumberScheduled ?? 0,
      status?.numberReady ?? 0,
      status?.updatedNumberScheduled ?? 0,
      status?.numberAvailable ?? 0,
      formatLabels(ds.spec.template.spec.nodeSelector),
      ageOf(ds.metadata.creationTimestamp, now),
      containers.map((c) => c.name ?? '').join(','),
      containers.map((c) => c.image ?? '').join(','),
      formatLabelSelector(ds.spec.selector),
    ];
  },
};

// Pods -----------------------------------------------------------------------------

/** The pod status fields kubectl reads that the schema leaves open. */
interface PodStatusExtras {
  podIP?: string;
  nominatedNodeName?: string;
  containerStatuses?: { ready?: boolean; restartCount?: number }[];
}

function podExtras(pod: Pod): PodStatusExtras {
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
  const statuses = podExtras(pod).containerStatuses;
  const ready = statuses !== undefined ? statuses.filter((s) => s.ready === true).length : isConditionTrue(pod, 'Ready') ? total : 0;
  return `${ready}/${total}`;
}

/** The phase, or the status reason when set; `Terminating` once deletion started (`Unknown` for a lost node, as kubectl). */
export function podStatus(pod: Pod): string {
  const reason = pod.status?.reason || pod.status?.phase || 'Pending';
  if (pod.metadata.deletionTimestamp === undefined) return reason;
  return pod.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
}

function podRestarts(pod: Pod): string {
  return String((podExtras(pod).containerStatuses ?? []).reduce((sum, s) => sum + (s.restartCount ?? 0), 0));
}

function readinessGates(pod: Pod): string {
  const gates = (pod.spec as { readinessGates?: { conditionType?: string }[] }).readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const met = gates.filter((g) => g.conditionType !== undefined && isConditionTrue(pod, g.conditionType)).length;
  return `${met}/${gates.length}`;
}

export const podPrinter: ResourcePrinter<Pod> = {
  columns: [
    nameColumn,
    column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn,
    column('IP', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', wide),
    column('Node', 'NodeName is a request to schedule this pod onto a specific node.', wide),
    column('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', wide),
    column('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', wide),
  ],
  cells(pod, now) {
    const status = podExtras(pod);
    return [
      pod.metadata.name,
      podReady(pod),
      podStatus(pod),
      podRestarts(pod),
      ageOf(pod.metadata.creationTimestamp, now),
      status.podIP || '<none>',
      pod.spec.nodeName || '<none>',
      status.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
};

// Nodes ----------------------------------------------------------------------------

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
  return (node.status as { nodeInfo?: NodeInfoLike } | undefined)?.nodeInfo ?? {};
}

function address(node: Node, type: string): string {
  const addresses = (node.status as { addresses?: { type?: string; address?: string }[] } | undefined)?.addresses ?? [];
  return addresses.find((a) => a.type === type)?.address || '<none>';
}

export const nodePrinter: ResourcePrinter<Node> = {
  columns: [
    nameColumn,
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    ageColumn,
    column('Version', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available.', wide),
    column('External-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available.', wide),
    column('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', wide),
    column('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", wide),
    column('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', wide),
  ],
  cells(node, now) {
    const info = nodeInfo(node);
    return [
      node.metadata.name,
      nodeStatus(node),
      nodeRoles(node),
      ageOf(node.metadata.creationTimestamp, now),
      info.kubeletVersion || '<none>',
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

// ControllerRevisions, Namespaces, Events --------------------------------------------

export const controllerRevisionPrinter: ResourcePrinter<ControllerRevision> = {
  columns: [
    nameColumn,
    column('Controller', 'Controller of the object'),
    column('Revision', 'Revision indicates the revision of the state represented by Data.', { type: 'integer' }),
    ageColumn,
  ],
  cells(revision, now) {
    // `daemonset.apps/fluentd`: the controller's group-kind, lower-cased, and name.
    const ref = controllerOf(revision.metadata);
    const group = ref?.apiVersion.includes('/') ? `.${ref.apiVersion.split('/')[0]}` : '';
    const controller = ref === undefined ? '<none>' : `${ref.kind.toLowerCase()}${group}/${ref.name}`;
    return [revision.metadata.name, controller, revision.revision, ageOf(revision.metadata.creationTimestamp, now)];
  },
};

/** The Namespace everynode serves: any namespace exists, Active. */
export interface NamespaceObject {
  readonly metadata: { readonly name: string; readonly creationTimestamp?: string };
  readonly status?: { readonly phase?: string };
}

export const namespacePrinter: ResourcePrinter<NamespaceObject> = {
  columns: [nameColumn, column('Status', 'The status of the namespace'), ageColumn],
  cells: (ns, now) => [ns.metadata.name, ns.status?.phase ?? '', ageOf(ns.metadata.creationTimestamp, now)],
};

/** `LAST SEEN`: the last time's age, with the count and the first time's age when it happened more than once. */
function eventLastSeen(event: KubeEvent, now: Date): string {
  const last = ageOf(event.lastTimestamp ?? event.metadata.creationTimestamp, now);
  const count = event.count ?? 1;
  return count > 1 ? `${last} (x${count} over ${ageOf(event.firstTimestamp, now)})` : last;
}

/** `formatEventSource`: the component (or reporting controller), `, host` when known. */
function eventSource(event: KubeEvent): string {
  const source = event.source as { component?: string; host?: string } | undefined;
  const component = source?.component || event.reportingComponent || '';
  const host = source?.host || event.reportingInstance || '';
  return host === '' ? component : `${component}, ${host}`;
}

export const eventPrinter: ResourcePrinter<KubeEvent> = {
  columns: [
    column('Last Seen', 'The last time the event was seen'),
    column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    column('Object', 'The object this Event is about'),
    column('Subobject', 'The field of the object this Event is about', wide),
    column('Source', 'The component reporting this event. Should be a short machine understandable string.', wide),
    column('Message', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'The first time the event was seen', wide),
    column('Count', 'The number of times this event has occurred.', wide),
    { ...column('Name', nameDescription, wide), format: 'name' },
  ],
  cells(event, now) {
    const involved = event.involvedObject;
    return [
      eventLastSeen(event, now),
      event.type,
      event.reason,
      `${involved.kind.toLowerCase()}/${involved.name}`,
      (involved as { fieldPath?: string }).fieldPath ?? '',
      eventSource(event),
      event.message.trim(),
      ageOf(event.firstTimestamp, now),
      String(event.count ?? 1),
      event.metadata.name,
    ];
  },
};
