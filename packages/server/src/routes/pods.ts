/**
 * `v1` Pods, read-only: the controller makes them and node agents report on
 * them through events. Terminating pods (with `deletionTimestamp`) are
 * listed, as Kubernetes lists them until they are gone.
 */
import type { Pod } from '@everynode/api';
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../deps.ts';
import { listOf, typed } from '../objects.ts';
import { ListQuery, NamespaceParams, NamespacedNameParams, parseRequest } from '../request.ts';
import { filterList, metadataFields, type SelectableFields } from '../selectors.ts';
import { notFound, Resources, StatusError } from '../status.ts';

/** The pod fields upstream's `PodToSelectableFields` offers that everynode's pods carry. */
const podFields: SelectableFields<Pod> = {
  ...metadataFields,
  'spec.nodeName': (pod) => pod.spec.nodeName,
  'status.phase': (pod) => pod.status?.phase,
};

/** Register the (read-only) Pod paths on `app`. */
export function podRoutes(app: FastifyInstance, { reader }: ServerDeps): void {
  const list = async (namespace: string | undefined, rawQuery: unknown) => {
    const query = parseRequest(ListQuery, rawQuery, 'query parameter');
    return listOf('v1', 'Pod', filterList(await reader.listPods(namespace), query, podFields));
  };

  app.get('/api/v1/pods', (request) => list(undefined, request.query));

  app.get('/api/v1/namespaces/:ns/pods', (request) => {
    const { ns } = parseRequest(NamespaceParams, request.params, 'path parameter');
    return list(ns, request.query);
  });

  app.get('/api/v1/namespaces/:ns/pods/:name', async (request) => {
    const { ns, name } = parseRequest(NamespacedNameParams, request.params, 'path parameter');
    const pod = await reader.getPod(ns, name);
    if (!pod) throw new StatusError(notFound(Resources.pods, name));
    return typed('v1', 'Pod', pod);
  });
}
