/**
 * `v1` Events, read-only: `GET /api/v1/namespaces/:ns/events` and
 * `GET /api/v1/events`, an `EventList` derived from the log's passes (see
 * `controller-events.ts`), filtered as the API server filters Events —
 * `kubectl describe` asks with
 * `fieldSelector=involvedObject.name=X,involvedObject.namespace=NS,involvedObject.kind=DaemonSet,involvedObject.uid=U`.
 *
 * Every request reads the log from the start: Events are history, and the
 * log is where history is kept.
 */
import { PassType } from '@everynode/engine';
import type { FastifyInstance } from 'fastify';
import { ControllerEventLog, type KubeEvent } from '../controller-events.ts';
import type { ServerDeps } from '../deps.ts';
import { scanLog } from '../log-scan.ts';
import { listOf } from '../objects.ts';
import { ListQuery, NamespaceParams, parseRequest } from '../request.ts';
import { filterList, metadataFields, type SelectableFields } from '../selectors.ts';

/** The fields upstream's `EventToSelectableFields` offers that these Events carry. */
const eventFields: SelectableFields<KubeEvent> = {
  ...metadataFields,
  'involvedObject.kind': (e) => e.involvedObject.kind,
  'involvedObject.namespace': (e) => e.involvedObject.namespace,
  'involvedObject.name': (e) => e.involvedObject.name,
  'involvedObject.uid': (e) => e.involvedObject.uid,
  'involvedObject.apiVersion': (e) => e.involvedObject.apiVersion,
  reason: (e) => e.reason,
  reportingComponent: (e) => e.reportingComponent,
  source: (e) => e.source?.component,
  type: (e) => e.type,
};

/** Register the Event paths on `app`. */
export function kubeEventRoutes(app: FastifyInstance, { history }: ServerDeps): void {
  const list = async (namespace: string | undefined, rawQuery: unknown) => {
    // Parsed before the scan, so that a bad selector costs no log read.
    const query = parseRequest(ListQuery, rawQuery, 'query parameter');
    filterList([], query, eventFields);
    const events = new ControllerEventLog(namespace);
    // Only passes record Events: the index rules the rest out unread.
    await scanLog(history, (entry) => events.observe(entry), { where: { types: [PassType] } });
    return listOf('v1', 'Event', filterList(events.list(), query, eventFields));
  };

  app.get('/api/v1/events', (request) => list(undefined, request.query));

  app.get('/api/v1/namespaces/:ns/events', (request) => {
    const { ns } = parseRequest(NamespaceParams, request.params, 'path parameter');
    return list(ns, request.query);
  });
}
