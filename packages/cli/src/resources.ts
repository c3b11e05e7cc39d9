/**
 * The resource types `get` and `delete` know, under every name kubectl
 * accepts for them (`ds`, `daemonset`, `daemonsets.apps`, `no`, `po`, …),
 * with how to fetch and print each.
 */
import { type DaemonSet, daemonSetPrinter, type Node, nodePrinter, type Pod, podPrinter } from '@everynode/api';
import type { EverynodeClient, WatchEvent, WatchOptions } from '@everynode/client';
import { CliError } from './errors.ts';
import { type TableOptions, type TableText, tableText } from './print/columns.ts';
import { daemonSetTable } from './print/daemonsets.ts';
import { nodeTable } from './print/nodes.ts';
import { podTable } from './print/pods.ts';

/** What every object has that the generic printers read. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; creationTimestamp?: string; resourceVersion?: string };
}

export interface ResourceType {
  /** `daemonset.apps`, `node`, `pod`: the `-o name` prefix and the word apply/delete print. */
  readonly singular: string;
  /** `daemonsets.apps`, `nodes`, `pods`: the word in NotFound messages. */
  readonly plural: string;
  readonly namespaced: boolean;
  readonly apiVersion: string;
  readonly kind: string;
  /** The group-version-resource as client-go prints it in errors: `apps/v1, Resource=daemonsets`. */
  readonly resource: string;
  /**
   * Objects in `namespace` (every namespace when omitted), filtered by the
   * server on `labelSelector` and `fieldSelector`, and the list's
   * resourceVersion (where a watch of it starts).
   */
  list(client: EverynodeClient, options: ListFilter): Promise<{ items: KubeObject[]; resourceVersion: string }>;
  get(client: EverynodeClient, namespace: string, name: string): Promise<KubeObject>;
  /** The changes of the collection (`client.watch`). */
  watch(client: EverynodeClient, options: WatchOptions): AsyncGenerator<WatchEvent<KubeObject>, void, undefined>;
  table(items: readonly KubeObject[], options: TableOptions): string;
  /** The table's header and rows as text, for printing row by row (`get --watch`). */
  tableText(items: readonly KubeObject[], options: TableOptions): TableText;
}

/** What a list is narrowed to. */
export interface ListFilter {
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
}

/** The filter without its undefined members (the client's options are exact). */
function defined(filter: ListFilter): { namespace?: string; labelSelector?: string; fieldSelector?: string } {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
}

/** A list's items and resourceVersion. */
const listed = (list: { items: readonly KubeObject[]; metadata: { resourceVersion?: string | undefined } }) => ({ items: [...list.items], resourceVersion: list.metadata.resourceVersion ?? '' });

export const daemonSets: ResourceType = {
  singular: 'daemonset.apps',
  plural: 'daemonsets.apps',
  namespaced: true,
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  resource: 'apps/v1, Resource=daemonsets',
  list: async (client, options) => listed(await client.listDaemonSets(defined(options))),
  get: (client, namespace, name) => client.getDaemonSet(namespace, name),
  watch: (client, options) => client.watch('daemonsets', options),
  table: (items, options) => daemonSetTable(items as DaemonSet[], options),
  tableText: (items, options) => tableText(daemonSetPrinter, items as DaemonSet[], options),
};

export const nodes: ResourceType = {
  singular: 'node',
  plural: 'nodes',
  namespaced: false,
  apiVersion: 'v1',
  kind: 'Node',
  resource: '/v1, Resource=nodes',
  list: async (client, options) => listed(await client.listNodes(defined(options))),
  get: (client, _namespace, name) => client.getNode(name),
  watch: (client, options) => client.watch('nodes', options),
  table: (items, options) => nodeTable(items as Node[], options),
  tableText: (items, options) => tableText(nodePrinter, items as Node[], { ...options, withNamespace: false }),
};

export const pods: ResourceType = {
  singular: 'pod',
  plural: 'pods',
  namespaced: true,
  apiVersion: 'v1',
  kind: 'Pod',
  resource: '/v1, Resource=pods',
  list: async (client, options) => listed(await client.listPods(defined(options))),
  get: (client, namespace, name) => client.getPod(namespace, name),
  watch: (client, options) => client.watch('pods', options),
  table: (items, options) => podTable(items as Pod[], options),
  tableText: (items, options) => tableText(podPrinter, items as Pod[], options),
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

/** What `get` and `delete` were asked for: kinds, each with the names given (none: the whole collection). */
export interface Requested {
  readonly type: ResourceType;
  readonly names: string[];
}

/**
 * `TYPE[,TYPE…] [NAME…]` or `TYPE/NAME…`, as kubectl's resource builder
 * reads them: kinds in the order given, each once, and the names asked of
 * each; mixing the two forms is kubectl's error.
 */
export function resolveRequested(args: readonly string[], verb: string): Requested[] {
  const slashed = args.filter((a) => a.includes('/')).length;
  const requested: Requested[] = [];
  const entry = (type: ResourceType) => {
    let found = requested.find((r) => r.type === type);
    if (found === undefined) requested.push((found = { type, names: [] }));
    return found;
  };
  if (slashed > 0) {
    if (slashed < args.length) {
      throw new CliError(
        `error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'everynode ${verb} resource/<resource_name>' instead of 'everynode ${verb} resource resource/<resource_name>'`,
      );
    }
    for (const arg of args) {
      const slash = arg.indexOf('/');
      const name = arg.slice(slash + 1);
      if (name === '') throw new CliError(`error: arguments in resource/name form must have a single resource and name`);
      entry(resolveResourceType(arg.slice(0, slash))).names.push(name);
    }
    return requested;
  }
  const [types = '', ...names] = args;
  for (const typed of types.split(',').filter((t) => t !== '')) entry(resolveResourceType(typed));
  for (const r of requested) r.names.push(...names);
  return requested;
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
