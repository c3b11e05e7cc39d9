/**
 * `v1` Pods, read-only: the controller makes them and node agents report on
 * them through events. Terminating pods (with `deletionTimestamp`) are
 * listed, as Kubernetes lists them until they are gone.
 */
import { type Pod, podPrinter } from '@everynode/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDeps } from '../deps.ts';
import { answerList, answerObject, ListQuery, type Served } from '../lists.ts';
import { NamespaceParams, NamespacedNameParams, parseRequest } from '../request.ts';
import { metadataFields } from '../selectors.ts';
import { notFound, Resources, StatusError } from '../status.ts';
import { inScope, type WatchSource } from '../watch.ts';

const served: Served<Pod> = {
  apiVersion: 'v1',
  kind: 'Pod',
  // The pod fields upstream's `PodToSelectableFields` offers that everynode's pods carry.
  fields: {
    ...metadataFields,
    'spec.nodeName': (pod) => pod.spec.nodeName,
    'status.phase': (pod) => pod.status?.phase,
  },
  printer: podPrinter,
};

/** Register the (read-only) Pod paths on `app`. */
export function podRoutes(app: FastifyInstance, { reader, history, watches }: RouteDeps): void {
  const source = (namespace: string | undefined): WatchSource<Pod> => ({
    present: () => reader.readVersioned('pods', namespace === undefined ? {} : { namespace }),
    asOf: async (seq) => [...(await history.stateAt({ toSeq: seq })).state.pods.values()].filter(inScope(namespace)),
  });

  const list = async (request: FastifyRequest, reply: FastifyReply, namespace: string | undefined) => {
    const query = parseRequest(ListQuery, request.query, 'query parameter');
    if (query.watch) return watches.serve(request, reply, served, source(namespace), query);
    const { items, lastSeq } = await reader.readVersioned('pods', namespace === undefined ? {} : { namespace });
    return answerList(request, reply, served, items, lastSeq, query);
  };

  app.get('/api/v1/pods', (request, reply) => list(request, reply, undefined));

  app.get('/api/v1/namespaces/:ns/pods', (request, reply) => {
    const { ns } = parseRequest(NamespaceParams, request.params, 'path parameter');
    return list(request, reply, ns);
  });

  app.get('/api/v1/namespaces/:ns/pods/:name', async (request, reply) => {
    const { ns, name } = parseRequest(NamespacedNameParams, request.params, 'path parameter');
    const [pod] = (await reader.readVersioned('pods', { namespace: ns, name })).items;
    if (!pod) throw new StatusError(notFound(Resources.pods, name));
    return answerObject(request, reply, served, pod);
  });
}
