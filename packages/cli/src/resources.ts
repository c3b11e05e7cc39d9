/**
 * The resource types `get` and `delete` know, under every name kubectl
 * accepts for them (`ds`, `daemonset`, `daemonsets.apps`, `no`, `po`, …),
 * with how to fetch and print each.
 */
import type { DaemonSet, Node, Pod } from '@everynode/api';
import type { EverynodeClient } from '@everynode/client';
import { CliError } from './errors.ts';
import type { TableOptions } from './print/columns.ts';
import { daemonSetTable } from './print/daemonsets.ts';
import { nodeTable } from './print/nodes.ts';
import { podTable } from './print/pods.ts';

/** What every object has that the generic printers read. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; creationTimestamp?: string };
}

export interface ResourceType {
  /** `daemonset.apps`, `node`, `pod`: the `-o name` prefix and the word apply/delete print. */
  readonly singular: string;
  /** `daemonsets.apps`, `nodes`, `pods`: the word in NotFound messages. */
  readonly plural: string;
  readonly namespaced: boolean;
  readonly apiVersion: string;
  readonly kind: string;
  /** Objects in `namespace` (every namespace when omitted), filtered by the server on `labelSelector`. */
  list(client: EverynodeClient, options: { namespace?: string; labelSelector?: string }): Promise<KubeObject[]>;
  get(client: EverynodeClient, namespace: string, name: string): Promise<KubeObject>;
  table(items: readonly KubeObject[], options: TableOptions): string;
}

export const daemonSets: ResourceType = {
  singular: 'daemonset.apps',
  plural: 'daemonsets.apps',
  namespaced: true,
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  list: async (client, options) => (await client.listDaemonSets(options)).items,
  get: (client, namespace, name) => client.getDaemonSet(namespace, name),
  table: (items, options) => daemonSetTable(items as DaemonSet[], options),
};

export const nodes: ResourceType = {
  singular: 'node',
  plural: 'nodes',
  namespaced: false,
  apiVersion: 'v1',
  kind: 'Node',
  list: async (client, options) => (await client.listNodes(options)).items,
  get: (client, _namespace, name) => client.getNode(name),
  table: (items, options) => nodeTable(items as Node[], options),
};

export const pods: ResourceType = {
  singular: 'pod',
  plural: 'pods',
  namespaced: true,
  apiVersion: 'v1',
  kind: 'Pod',
  list: async (client, options) => (await client.listPods(options)).items,
  get: (client, namespace, name) => client.getPod(namespace, name),
  table: (items, options) => podTable(items as Pod[], options),
};

const aliases: Readonly<Record<string, ResourceType>> = {
  ds: daemonSets,
  daemonset: daemonSets,
  daemonsets: daemonSets,
  'daemonset.apps': daemonSets,
  'daemonsets.apps': daemonSets,
  no: nodes,
  node: nodes,
  nodes,
  po: pods,
  pod: pods,
  pods,
};

/** The resource type a user typed (case-insensitive, as kubectl), or kubectl's error. */
export function resolveResourceType(typed: string): ResourceType {
  const type = aliases[typed.toLowerCase()];
  if (type === undefined) throw new CliError(`error: the server doesn't have a resource type "${typed}"`);
  return type;
}

/**
 * `TYPE NAME` or `TYPE/NAME` (kubectl accepts both): the type and the name,
 * if one was given.
 */
export function resolveTarget(typeArg: string, nameArg: string | undefined): { type: ResourceType; name: string | undefined } {
  const slash = typeArg.indexOf('/');
  if (slash < 0) return { type: resolveResourceType(typeArg), name: nameArg };
  if (nameArg !== undefined) {
    throw new CliError('error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form');
  }
  return { type: resolveResourceType(typeArg.slice(0, slash)), name: typeArg.slice(slash + 1) };
}

/** The object with `apiVersion` and `kind` set, as kubectl prints every item of a list. */
export function withTypeMeta(type: ResourceType, obj: KubeObject): KubeObject {
  return { ...obj, apiVersion: obj.apiVersion ?? type.apiVersion, kind: obj.kind ?? type.kind };
}
