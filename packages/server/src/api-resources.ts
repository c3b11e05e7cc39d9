/**
 * The Kubernetes resources this server serves, and the verbs each answers
 * today: the one list discovery (`/api/v1`, `/apis/apps/v1`) and the OpenAPI
 * documents are made from. A route that starts answering a verb (`patch`,
 * `watch`) adds it here, and both follow; a verb listed here must work, as
 * kubectl believes discovery.
 */
import {
  ControllerRevisionSchema,
  DaemonSetSchema,
  KubeEventSchema,
  NamespaceSchema,
  NodeSchema,
  PodSchema,
} from '@everynode/api';
import type { z } from 'zod';
import { type Resource, Resources } from './status.ts';

/** A Kubernetes verb, as discovery spells it. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

/** A group and version served, and its path prefix. */
export interface GroupVersion {
  /** `''` for the core group. */
  readonly group: string;
  readonly version: string;
  /** `v1`, `apps/v1`. */
  readonly groupVersion: string;
  /** `/api/v1`, `/apis/apps/v1`. */
  readonly prefix: string;
  /** The OpenAPI v3 document's path (`api/v1`), as `/openapi/v3` indexes it. */
  readonly openApiPath: string;
  /** How Kubernetes prefixes the names of this group's OpenAPI definitions (`io.k8s.api.apps.v1`). */
  readonly definitions: string;
}

function groupVersion(group: string, version: string): GroupVersion {
  const gv = group === '' ? version : `${group}/${version}`;
  const prefix = group === '' ? `/api/${version}` : `/apis/${gv}`;
  return { group, version, groupVersion: gv, prefix, openApiPath: prefix.slice(1), definitions: `io.k8s.api.${group === '' ? 'core' : group}.${version}` };
}

export const CoreV1 = groupVersion('', 'v1');
export const AppsV1 = groupVersion('apps', 'v1');
/** Every group-version served, the core group first. */
export const groupVersions: readonly GroupVersion[] = [CoreV1, AppsV1];

/** One resource as discovery lists it, with the schema its OpenAPI definition is made from. */
export interface ServedResource extends Resource {
  readonly gv: GroupVersion;
  /** Lower-case kind, which kubectl accepts as a resource name (`daemonset`). */
  readonly singularName: string;
  readonly namespaced: boolean;
  readonly verbs: readonly Verb[];
  /** Also listed (and watched) across namespaces (`GET /apis/apps/v1/daemonsets`, what `-A` asks for). */
  readonly listsAllNamespaces?: boolean;
  readonly shortNames?: readonly string[];
  /** `all`: what `kubectl get all` includes. */
  readonly categories?: readonly string[];
  readonly schema: z.ZodType;
}

function served(resource: Resource, gv: GroupVersion, rest: Omit<ServedResource, keyof Resource | 'gv' | 'singularName'>): ServedResource {
  return { ...resource, gv, singularName: resource.kind.toLowerCase(), ...rest };
}

/**
 * What the routes serve. Not listed: `daemonsets/status` (no route writes a
 * status: the controller owns it), `pods/explain` (everynode's own, not a
 * Kubernetes subresource).
 */
export const servedResources: readonly ServedResource[] = [
  served(Resources.namespaces, CoreV1, { namespaced: false, verbs: ['get', 'list', 'watch'], shortNames: ['ns'], schema: NamespaceSchema }),
  served(Resources.nodes, CoreV1, { namespaced: false, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['no'], schema: NodeSchema }),
  served(Resources.pods, CoreV1, { namespaced: true, verbs: ['get', 'list', 'watch'], listsAllNamespaces: true, shortNames: ['po'], categories: ['all'], schema: PodSchema }),
  served(Resources.events, CoreV1, { namespaced: true, verbs: ['list', 'watch'], listsAllNamespaces: true, shortNames: ['ev'], schema: KubeEventSchema }),
  served(Resources.daemonSets, AppsV1, {
    namespaced: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    listsAllNamespaces: true,
    shortNames: ['ds'],
    categories: ['all'],
    schema: DaemonSetSchema,
  }),
  served(Resources.controllerRevisions, AppsV1, { namespaced: true, verbs: ['list', 'watch'], schema: ControllerRevisionSchema }),
];

/** The resources of `gv`. */
export function resourcesOf(gv: GroupVersion): ServedResource[] {
  return servedResources.filter((r) => r.gv === gv);
}
