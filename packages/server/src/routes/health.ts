/**
 * Probes and metrics: `/healthz` (and `/livez`, its name in Kubernetes since
 * 1.16) says the process serves HTTP (liveness);
 * `/readyz` says it can do its work (the `engine` check — `ready`, e.g. Redis
 * answers — and any further `checks`), in Kubernetes' shape: `ok`, or a 503
 * naming each failed check (`?verbose` names them all);
 * `/metrics` is the Prometheus exposition of the engine's registry.
 */
import { readinessAnswer } from '@everynode/api';
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../deps.ts';

/** Register `/healthz`, `/livez`, `/readyz` and (with a registry) `/metrics` on `app`. */
export function healthRoutes(app: FastifyInstance, { ready, checks, admin, metrics }: ServerDeps): void {
  for (const path of ['/healthz', '/livez']) app.get(path, (_request, reply) => reply.type('text/plain; charset=utf-8').send('ok'));

  app.get('/readyz', async (request, reply) => {
    let engineReady = false;
    try {
      engineReady = await (ready ?? (() => admin.ready()))();
    } catch (error) {
      // A failing check means "not ready", never a 500: probes only read the code.
      request.log.warn({ err: error }, 'readiness check failed');
    }
    const verbose = (request.query as Record<string, unknown> | undefined)?.verbose !== undefined;
    const answer = readinessAnswer([{ name: 'engine', ok: engineReady, reason: 'not ready' }, ...(checks?.() ?? [])], verbose);
    return reply.code(answer.status).type('text/plain; charset=utf-8').send(answer.body);
  });

  if (metrics) {
    const { registry } = metrics;
    app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  }
}
