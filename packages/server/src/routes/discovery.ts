/**
 * Kubernetes discovery, so kubectl and client libraries find what this
 * server serves: `/version`, `/api` (APIVersions), `/apis` (APIGroupList)
 * and one APIResourceList per group-version, all made from
 * `api-resources.ts`. Only legacy discovery is served: kubectl asks for the
 * aggregated kind first, reads the plain `application/json` Content-Type as
 * "not supported" and then asks `/api/v1` and `/apis/apps/v1` (client-go
 * `discovery_client.go`).
 */
import type { FastifyInstance } from 'fastify';
import serverPackage from '../../package.json' with { type: 'json' };
import { type GroupVersion, groupVersions, resourcesOf } from '../api-resources.ts';

/** `major.minor.patch` of this package, as `/version` reports it. */
const [major = '0', minor = '0'] = serverPackage.version.split('.');

/** Go's names for the architectures Node names differently. */
const goArch: Record<string, string> = { x64: 'amd64', ia32: '386' };

/** `version.Info`: everynode's own version (kubectl prints `gitVersion`); the Go fields name the Node runtime. */
export const versionInfo = {
  major,
  minor,
  gitVersion: `v${serverPackage.version}`,
  gitCommit: '',
  gitTreeState: '',
  buildDate: '',
  goVersion: process.version,
  compiler: 'node',
  platform: `${process.platform}/${goArch[process.arch] ?? process.arch}`,
};

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

/** Register the discovery paths on `app`. */
export function discoveryRoutes(app: FastifyInstance): void {
  app.get('/version', () => Promise.resolve(versionInfo));

  app.get('/api', (request) =>
    Promise.resolve({
      kind: 'APIVersions',
      versions: groupVersions.filter((gv) => gv.group === '').map((gv) => gv.version),
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: request.host }],
    }),
  );

  app.get('/apis', () => Promise.resolve(apiGroupList()));

  for (const gv of groupVersions) app.get(gv.prefix, () => Promise.resolve(apiResourceList(gv)));
}
