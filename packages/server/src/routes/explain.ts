/**
 * `GET /api/v1/namespaces/:ns/pods/:name/explain`: the chain of events and
 * decisions about one pod (see `pod-history.ts`), for `everynode explain
 * pod`. The pod may be gone: only a pod the log never mentions and the
 * projection does not hold is a 404, worded as a missing pod always is.
 */
import type { FastifyInstance } from 'fastify';
import type { EventEntry } from '@everynode/eventlog';
import type { ServerDeps } from '../deps.ts';
import { scanLog } from '../log-scan.ts';
import { PodHistory } from '../pod-history.ts';
import { NamespacedNameParams, parseRequest } from '../request.ts';
import { notFound, Resources, StatusError } from '../status.ts';

/** Register the explain path on `app`. */
export function explainRoutes(app: FastifyInstance, { reader }: ServerDeps): void {
  app.get('/api/v1/namespaces/:ns/pods/:name/explain', async (request) => {
    const { ns, name } = parseRequest(NamespacedNameParams, request.params, 'path parameter');
    const history = new PodHistory(ns, name);
    await scanLog(reader, (entry) => history.observe(entry), { where: (line) => history.mayConcern(line) });
    for (const { node, passSeq, mayConcern } of history.qualifyingWanted()) {
      let newest: EventEntry | undefined;
      await scanLog(
        reader,
        (entry) => {
          if (history.qualifies(entry, node)) newest = entry;
        },
        { until: passSeq - 1, where: mayConcern },
      );
      if (newest) history.addQualifying(newest, passSeq);
    }
    // Causes precede their passes closely, so the last read covers a short stretch.
    const causes = history.causeRange();
    if (causes) await scanLog(reader, (entry) => history.observeCause(entry), causes);
    if (history.empty && !(await reader.getPod(ns, name))) throw new StatusError(notFound(Resources.pods, name));
    return history.explanation();
  });
}
