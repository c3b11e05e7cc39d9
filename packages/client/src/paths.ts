/** everynode's HTTP paths, Kubernetes-style (docs/contract.md §4). Every segment is URL-encoded. */

const seg = encodeURIComponent;

/** `/apis/apps/v1[/namespaces/NS]/daemonsets[/NAME]`; no namespace means every namespace. */
export function daemonSetsPath(namespace?: string, name?: string): string {
  const base = namespace === undefined ? '/apis/apps/v1/daemonsets' : `/apis/apps/v1/namespaces/${seg(namespace)}/daemonsets`;
  return name === undefined ? base : `${base}/${seg(name)}`;
}

/** `/api/v1/nodes[/NAME]`. */
export function nodesPath(name?: string): string {
  return name === undefined ? '/api/v1/nodes' : `/api/v1/nodes/${seg(name)}`;
}

/** `/api/v1[/namespaces/NS]/pods[/NAME]`; no namespace means every namespace. */
export function podsPath(namespace?: string, name?: string): string {
  const base = namespace === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${seg(namespace)}/pods`;
  return name === undefined ? base : `${base}/${seg(name)}`;
}

/** `/apis/apps/v1/namespaces/NS/controllerrevisions`. */
export function controllerRevisionsPath(namespace: string): string {
  return `/apis/apps/v1/namespaces/${seg(namespace)}/controllerrevisions`;
}

/** `/api/v1[/namespaces/NS]/events`; no namespace means every namespace. */
export function eventsPath(namespace?: string): string {
  return namespace === undefined ? '/api/v1/events' : `/api/v1/namespaces/${seg(namespace)}/events`;
}

/** `/api/v1/namespaces/NS/pods/NAME/explain`: the pod's history from the log. */
export function podExplainPath(namespace: string, name: string): string {
  return `${podsPath(namespace, name)}/explain`;
}
