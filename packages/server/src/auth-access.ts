/**
 * What a request asks to do, in Kubernetes' terms (apiserver's
 * `RequestInfoFactory`): a verb on a resource — `delete` `nodes` `x`,
 * `list` `daemonsets` in `kube-system` — or a verb on a path outside the
 * resource tree (`get` `/log/export`); the permission that takes; and the
 * 403 the API server words when a user lacks it.
 */
import { Permission } from './auth-tokens.ts';
import { isQueueBoardRetry, queueBoardPath } from './queue-board-paths.ts';
import { failure, type Status } from './status.ts';

/** A request to a resource path (`/api/v1/…`, `/apis/GROUP/VERSION/…`). */
export interface ResourceAttributes {
  /** API group; `''` for the core group. */
  readonly group: string;
  /** Plural resource name (`daemonsets`). */
  readonly resource: string;
  /** `explain` in `…/pods/NAME/explain`; `''` for none. */
  readonly subresource: string;
  /** `''` for a cluster-scoped request. */
  readonly namespace: string;
  /** `''` for a collection. */
  readonly name: string;
}

/** What a request asks to do. */
export interface RequestAttributes {
  /** `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`; for a non-resource path the method, lower case. */
  readonly verb: string;
  /** The path, without the query. */
  readonly path: string;
  /** Set for a resource request; absent for a non-resource path (discovery, `/log`, `/events`, probes). */
  readonly resource?: ResourceAttributes;
}

const resourceVerbs: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** `true` and `1` turn a list into a watch, as the API server reads `?watch=`. */
function isWatch(query: URLSearchParams): boolean {
  const watch = query.get('watch');
  return watch === 'true' || watch === '1';
}

/** The resource part of `parts` (the path's segments after the group and version), or undefined when there is none. */
function resourceOf(parts: readonly string[], group: string): ResourceAttributes | undefined {
  let rest = parts;
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1] ?? '';
    // `namespaces/NS` is the namespace itself; `namespaces/NS/pods/…` a namespaced resource.
    if (rest.length > 2) rest = rest.slice(2);
  }
  const [resource, name = '', subresource = ''] = rest;
  if (resource === undefined || resource === '') return undefined;
  return { group, resource, subresource, namespace, name };
}

/**
 * The segments of `url`'s path as the router matches them: percent-decoded,
 * empty ones dropped — so `/log/%65xport` and `//log/export/` are judged as
 * the `/log/export` they may be routed to, never as some other path.
 */
function segmentsOf(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment; // not valid percent-encoding: the router will not match it either
      }
    });
}

/** `method url` as Kubernetes' authorizer would see it. */
export function attributesOf(method: string, url: string): RequestAttributes {
  const queryAt = url.indexOf('?');
  const segments = segmentsOf(queryAt === -1 ? url : url.slice(0, queryAt));
  const query = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
  const path = `/${segments.join('/')}`;
  let resource: ResourceAttributes | undefined;
  if (segments[0] === 'api' && segments.length >= 3) resource = resourceOf(segments.slice(2), '');
  else if (segments[0] === 'apis' && segments.length >= 4) resource = resourceOf(segments.slice(3), segments[1] ?? '');
  const upper = method.toUpperCase();
  if (!resource || !(upper in resourceVerbs)) return { verb: method.toLowerCase(), path };
  let verb = resourceVerbs[upper] as string;
  if (verb === 'get' && resource.name === '') verb = isWatch(query) ? 'watch' : 'list';
  if (verb === 'delete' && resource.name === '') verb = 'deletecollection';
  return { verb, path, resource };
}

/**
 * Paths anyone may GET, authenticated or not: the probes and the version,
 * as kube-apiserver's `system:public-info-viewer` role allows them.
 */
export function isPublic(method: string, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return path === '/version' || path === '/version/' || /^\/(healthz|livez|readyz)(\/|$)/.test(path);
}

const resourcePermission: Record<string, Permission> = {
  get: Permission.Read,
  list: Permission.Read,
  watch: Permission.Read,
  create: Permission.Write,
  update: Permission.Write,
  patch: Permission.Write,
  delete: Permission.Admin,
  deletecollection: Permission.Admin,
};

/**
 * The permission `attributes` take. Reads need `read`, except the whole
 * log's export (`admin`: it is every secret the log holds, at once);
 * `POST /events`, resource writes, a dead letter's replay and a retry in
 * the queue pages need `write`; deletes and every other
 * write outside the resource tree (import, dead-letter replay and drop) need
 * `admin` — a path not listed here asks the most, not the least.
 */
export function requiredPermission(attributes: RequestAttributes): Permission {
  if (attributes.resource) return resourcePermission[attributes.verb] ?? Permission.Admin;
  const { verb, path } = attributes;
  if (verb === 'get' || verb === 'head') return path === '/log/export' ? Permission.Admin : Permission.Read;
  if (verb === 'post' && path === '/events') return Permission.Write;
  // The queue pages: keeping the token for them takes what viewing takes; a retry, what a write takes.
  if (verb === 'post' && path === `${queueBoardPath}/session`) return Permission.Read;
  if (isQueueBoardRetry(verb.toUpperCase(), path)) return Permission.Write;
  // Replaying a dead letter submits its event again: what `POST /events` lets a writer do anyway (dropping one stays admin's).
  if (verb === 'post' && /^\/dlq\/[^/]+\/replay$/.test(path)) return Permission.Write;
  return Permission.Admin;
}

/** kube-apiserver's `forbiddenMessage`: `User "alice" cannot delete resource "nodes" in API group "" at the cluster scope`. */
function forbiddenReason(user: string, { verb, path, resource }: RequestAttributes): string {
  if (!resource) return `User ${JSON.stringify(user)} cannot ${verb} path ${JSON.stringify(path)}`;
  const what = resource.subresource === '' ? resource.resource : `${resource.resource}/${resource.subresource}`;
  const scope = resource.namespace === '' ? 'at the cluster scope' : `in the namespace ${JSON.stringify(resource.namespace)}`;
  return `User ${JSON.stringify(user)} cannot ${verb} resource ${JSON.stringify(what)} in API group ${JSON.stringify(resource.group)} ${scope}`;
}

/**
 * 403 Forbidden as apimachinery's `NewForbidden` words it:
 * `nodes "x" is forbidden: …`, `daemonsets.apps is forbidden: …` for a
 * collection, `forbidden: …` for a path.
 */
export function forbidden(user: string, attributes: RequestAttributes): Status & { code: number } {
  const reason = forbiddenReason(user, attributes);
  const resource = attributes.resource;
  if (!resource) return failure(403, `forbidden: ${reason}`);
  const qualified = resource.group === '' ? resource.resource : `${resource.resource}.${resource.group}`;
  const subject = resource.name === '' ? qualified : `${qualified} ${JSON.stringify(resource.name)}`;
  const details = { ...(resource.name === '' ? {} : { name: resource.name }), ...(resource.group === '' ? {} : { group: resource.group }), kind: resource.resource };
  return failure(403, `${subject} is forbidden: ${reason}`, details);
}

/** 401 as kube-apiserver sends it: no credentials, or ones it does not know. */
export function unauthorized(): Status & { code: number } {
  return failure(401, 'Unauthorized');
}
