/**
 * `GET /api/v1/namespaces/:ns/pods/:name/explain`: the chain of events and
 * decisions about one pod (see `pod-history.ts`), for `everynode explain
 * pod`. The pod may be gone: only a pod the log never mentions and the
 * projection does not hold is a 404, worded as a missing pod always is.
 */
import type { FastifyInstance } from 'fastify';
import type { LogEntry } from '@everynode/engine';
import type { ServerDeps } from '../deps.ts';
import { scanLog } from '../log-scan.ts';
import { PodHistory } from '../pod-history.ts';
import { NamespacedNameParams, parseRequest } from '../request.ts';
import { notFound, Resources, StatusError } from '../status.ts';

/** Register the explain path on `app`. */
export function explainRoutes(app: FastifyInstance, { reader, history: log }: ServerDeps): void {
  app.get('/api/v1/namespaces/:ns/pods/:name/explain', async (request) => {
    const { ns, name } = parseRequest(NamespacedNameParams, request.params, 'path parameter');
    const history = new PodHistory(ns, name);
    await scanLog(log, (entry) => history.observe(entry), { where: history.concerning() });
    for (const { node, passSeq, where } of history.qualifyingWanted()) {
      let newest: Extract<LogEntry, { kind: 'event' }> | undefined;
      await scanLog(
        log,
        (entry) => {
          if (history.qualifies(entry, node)) newest = entry;
        },
        { until: passSeq - 1, where },
      );
      if (newest) history.addQualifying(newest, passSeq);
    }
    // Causes precede their passes closely, so the last read covers a short stretch.
    const causes = history.causeRange();
    if (causes) await scanLog(log, (entry) => history.observeCause(entry), causes);
    if (history.empty && !(await reader.getPod(ns, name))) throw new StatusError(notFound(Resources.pods, name));
    return history.explanation();
  });
}
