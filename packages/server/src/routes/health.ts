/**
 * Probes and metrics: `/healthz` says the process serves HTTP (liveness);
 * `/readyz` says it can do its work (the `ready` check, e.g. Redis answers);
 * `/metrics` is the Prometheus exposition of the engine's registry.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../deps.ts';

/** Register `/healthz`, `/readyz` and (with a registry) `/metrics` on `app`. */
export function healthRoutes(app: FastifyInstance, { ready, admin, metrics }: ServerDeps): void {
  app.get('/healthz', (_request, reply) => reply.type('text/plain; charset=utf-8').send('ok'));

  app.get('/readyz', async (request, reply) => {
    let isReady = false;
    try {
      isReady = await (ready ?? (() => admin.ready()))();
    } catch (error) {
      // A failing check means "not ready", never a 500: probes only read the code.
      request.log.warn({ err: error }, 'readiness check failed');
    }
    return reply
      .code(isReady ? 200 : 503)
      .type('text/plain; charset=utf-8')
      .send(isReady ? 'ok' : 'not ready');
  });

  if (metrics) {
    const { registry } = metrics;
    app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  }
}
