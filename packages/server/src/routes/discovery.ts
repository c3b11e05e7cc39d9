/**
 * Kubernetes discovery, so kubectl and client libraries find what this
 * server serves, all made from `api-resources.ts`: `/version`, and `/api`
 * and `/apis` in both forms —
 * - aggregated (`APIGroupDiscoveryList`, apidiscovery.k8s.io `v2`, or
 *   `v2beta1`, whichever the Accept header prefers): every group, version
 *   and resource in one answer each, so kubectl ≥1.26 needs nothing more;
 * - legacy, for older clients and any that ask for plain JSON: `APIVersions`
 *   and `APIGroupList`, then one `APIResourceList` per group-version
 *   (`/api/v1`, `/apis/apps/v1`).
 * client-go (`discovery_client.go`) tells the two apart by the answer's
 * Content-Type, so an aggregated answer names its type in it
 * (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import { versionInfo as kubernetesVersionInfo } from '@everynode/api';
import serverPackage from '../../package.json' with { type: 'json' };
import { type GroupVersion, groupVersions, resourcesOf, type ServedResource } from '../api-resources.ts';

/** `version.Info`: everynode's own version (kubectl prints `gitVersion`). */
export const versionInfo = kubernetesVersionInfo(serverPackage.version, process);

/** `metav1.APIResourceList` of `gv`. */
export function apiResourceList(gv: GroupVersion) {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv.groupVersion,
    resources: resourcesOf(gv).map((r) => ({
      name: r.resource,
      singularName: r.singularName,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    })),
  };
}

/** `metav1.APIGroupList`: the named groups, each at its one (preferred) version. */
export function apiGroupList() {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupVersions
      .filter((gv) => gv.group !== '')
      .map((gv) => {
        const version = { groupVersion: gv.groupVersion, version: gv.version };
        return { name: gv.group, versions: [version], preferredVersion: version };
      }),
  };
}

/** The versions of apidiscovery.k8s.io served; v2beta1 (kubectl 1.26–1.29 ask for it) has v2's shape. */
export type DiscoveryVersion = 'v2' | 'v2beta1';

/** The Content-Type of an aggregated discovery answer of `version`. */
export function aggregatedMediaType(version: DiscoveryVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/** `apidiscovery.APIResourceDiscovery` of `r`. */
function resourceDiscovery(r: ServedResource) {
  return {
    resource: r.resource,
    responseKind: { group: r.gv.group, version: r.gv.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singularName,
    verbs: r.verbs,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
  };
}

/**
 * `apidiscovery.APIGroupDiscoveryList` of the core group (`/api`, `core`)
 * or of the named groups (`/apis`): each group with its versions, preferred
 * first, each version with its resources.
 */
export function apiGroupDiscoveryList(groups: 'core' | 'named', version: DiscoveryVersion) {
  const served = groupVersions.filter((gv) => (gv.group === '') === (groups === 'core'));
  const names = [...new Set(served.map((gv) => gv.group))];
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: names.map((name) => ({
      metadata: { name },
      versions: served.filter((gv) => gv.group === name).map((gv) => ({ version: gv.version, resources: resourcesOf(gv).map(resourceDiscovery), freshness: 'Current' })),
    })),
  };
}

/** What the Accept header prefers among the answers `/api` and `/apis` have: aggregated (of a version), else legacy. */
const offered = ['application/json', aggregatedMediaType('v2'), aggregatedMediaType('v2beta1')];

/**
 * The aggregated version the request prefers, or undefined for legacy: the
 * Accept header negotiated (q-values, parameters) against `offered`, plain
 * JSON first so that a client naming only `application/json` or `*\/*`
 * (kubectl before 1.26) gets legacy discovery.
 */
function aggregatedVersionAsked(request: FastifyRequest): DiscoveryVersion | undefined {
  const best = new Negotiator({ headers: { accept: request.headers.accept ?? '*/*' } }).mediaType(offered);
  if (best === aggregatedMediaType('v2')) return 'v2';
  if (best === aggregatedMediaType('v2beta1')) return 'v2beta1';
  return undefined;
}

/** Answer `/api` or `/apis`: aggregated when asked for, else `legacy`. The answer varies with Accept, as caches must know. */
function discovery(request: FastifyRequest, reply: FastifyReply, groups: 'core' | 'named', legacy: () => unknown) {
  void reply.header('vary', 'Accept');
  const version = aggregatedVersionAsked(request);
  if (version === undefined) return reply.send(legacy());
  // A Buffer, with the header set as is: fastify would quote the parameters and add a charset to a string's.
  return reply.header('content-type', aggregatedMediaType(version)).send(Buffer.from(JSON.stringify(apiGroupDiscoveryList(groups, version))));
}

/** Register the discovery paths on `app`. */
export function discoveryRoutes(app: FastifyInstance): void {
  app.get('/version', () => Promise.resolve(versionInfo));

  app.get('/api', (request, reply) =>
    discovery(request, reply, 'core', () => ({
      kind: 'APIVersions',
      versions: groupVersions.filter((gv) => gv.group === '').map((gv) => gv.version),
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: request.host }],
    })),
  );

  app.get('/apis', (request, reply) => discovery(request, reply, 'named', apiGroupList));

  for (const gv of groupVersions) app.get(gv.prefix, () => Promise.resolve(apiResourceList(gv)));
}
