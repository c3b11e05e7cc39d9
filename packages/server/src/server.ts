/**
 * everynode's HTTP API (docs/contract.md §4): CloudEvents in, Kubernetes-style
 * resources out, the log, and the probes. Every error is a Kubernetes
 * `Status` with a `message`, so kubectl-minded clients and scripts read
 * them the same way whichever path failed. A Redis that does not answer
 * (the engine's commands time out) is a 503 with `Retry-After`, never a
 * hang; slow or idle clients are cut off (`timeouts.ts`).
 */
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { registerAuth } from './auth.ts';
import { attributedIngress } from './auth-user.ts';
import { isDashboardPath, registerDashboard } from './dashboard.ts';
import { registerQueueBoard } from './queue-board.ts';
import type { ServerDeps } from './deps.ts';
import { useJsonParser } from './json-body.ts';
import { daemonSetRoutes } from './routes/daemonsets.ts';
import { deadLetterRoutes } from './routes/dlq.ts';
import { discoveryRoutes } from './routes/discovery.ts';
import { eventRoutes } from './routes/events.ts';
import { explainRoutes } from './routes/explain.ts';
import { exportRoutes } from './routes/export.ts';
import { healthRoutes } from './routes/health.ts';
import { kubeEventRoutes } from './routes/kube-events.ts';
import { logRoutes } from './routes/log.ts';
import { namespaceRoutes } from './routes/namespaces.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { nodeRoutes } from './routes/nodes.ts';
import { podRoutes } from './routes/pods.ts';
import { stateRoutes } from './routes/state.ts';
import { closeSpareConnectionsOnClose } from './spare-connections.ts';
import { failure, type Status, StatusError } from './status.ts';
import { fastifyTimeoutOptions, httpTimeouts, isLongLived, limitRequestTime } from './timeouts.ts';
import { withoutCredentials, withTls } from './tls.ts';
import { Watches } from './watch.ts';

/** 16 MiB: a batch of a few thousand events fits; fastify's 1 MiB default does not. */
const defaultBodyLimit = 16 * 1024 * 1024;

/** Seconds a client should wait before retrying a 503, as kube-apiserver says it: Redis blips are short, and readiness is probed every second or so. */
const retryAfterSeconds = 1;

/** What ioredis and the network say when Redis does not answer: the request may succeed if tried again. */
const redisUnavailable = /Command timed out|Connection is closed|Stream isn't writeable|max retries per request|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH/;

function isRedisUnavailable(error: Error): boolean {
  return redisUnavailable.test(`${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`);
}

/**
 * The server, routes registered, not yet listening (`inject` works at once;
 * call `listen` to serve). It holds no resources of its own: closing it
 * leaves the engine running.
 */
export function buildServer(options: ServerDeps): FastifyInstance {
  // Every event a route submits carries the request's user (auth-user.ts).
  const deps: ServerDeps = { ...options, ingress: attributedIngress(options.ingress) };
  // Typed as fastify's base logger so the instance is the plain `FastifyInstance` callers expect.
  const loggerInstance: FastifyBaseLogger | undefined = deps.logger ? withoutCredentials(deps.logger) : undefined;
  const timeouts = httpTimeouts(deps.timeouts);
  const app: FastifyInstance = Fastify(withTls({ loggerInstance, bodyLimit: deps.bodyLimit ?? defaultBodyLimit, ...fastifyTimeoutOptions(timeouts) }, deps.tls));

  useJsonParser(app);
  limitRequestTime(app, timeouts.requestMs);
  registerAuth(app, deps.auth, deps.dashboard ? isDashboardPath : undefined);

  // A watch streams, quiet between events, for as long as its client listens: the idle limit is for requests, not for it.
  app.addHook('onRequest', async (request) => {
    // (A request injected by fastify's `inject`, as tests do, has no socket to time out.)
    if (isLongLived(request) && typeof request.raw.setTimeout === 'function') request.raw.setTimeout(0);
  });

  app.setErrorHandler((error: FastifyError | StatusError, request, reply) => {
    if (error instanceof StatusError) return sendStatus(reply, error.status);
    if (isRedisUnavailable(error)) return sendStatus(reply, failure(503, `the engine's Redis did not answer: ${error.message}`));
    // fastify's own errors (bad JSON, body too large, unsupported media type) carry their code.
    const code = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (code >= 500) request.log.error({ err: error }, 'request failed');
    return sendStatus(reply, failure(code, error.message));
  });

  // The text the API server gives for a path it does not serve.
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(failure(404, 'the server could not find the requested resource')));

  // Watches stream until they end: they must end before the server can close (preClose runs before it waits for connections).
  const watches = new Watches(deps.history, deps.watch);
  app.addHook('preClose', () => watches.close());
  closeSpareConnectionsOnClose(app);
  const routeDeps = { ...deps, watches };

  discoveryRoutes(app);
  openApiRoutes(app);
  eventRoutes(app, deps);
  daemonSetRoutes(app, routeDeps);
  nodeRoutes(app, routeDeps);
  podRoutes(app, routeDeps);
  explainRoutes(app, deps);
  kubeEventRoutes(app, routeDeps);
  namespaceRoutes(app, routeDeps);
  logRoutes(app, deps);
  exportRoutes(app, deps);
  deadLetterRoutes(app, deps);
  stateRoutes(app, deps);
  healthRoutes(app, deps);
  if (deps.dashboard) {
    registerDashboard(app, deps.dashboard);
    // The queue pages come with the dashboard: an API without one serves neither.
    if (deps.bullQueues) registerQueueBoard(app, deps.bullQueues, { secureCookie: deps.tls !== undefined });
  }
  return app;
}

/**
 * Send a failure Status. Kubernetes names the wait in `details.retryAfterSeconds`
 * and in the Retry-After header both; a 503 that names none waits `retryAfterSeconds`.
 */
function sendStatus(reply: FastifyReply, status: Status & { readonly code: number }) {
  const wait = status.details?.retryAfterSeconds ?? (status.code === 503 ? retryAfterSeconds : undefined);
  if (wait === undefined) return reply.code(status.code).send(status);
  return reply
    .code(status.code)
    .header('retry-after', String(wait))
    .send({ ...status, details: { ...status.details, retryAfterSeconds: wait } });
}
