/**
 * How long the HTTP server waits on a client. Each limit closes a way to
 * hold a socket for nothing: headers sent a byte at a time, a body that
 * never ends, a connection that goes quiet mid-request, an idle keep-alive
 * connection. Receiving a request is bounded; sending a response is not —
 * a watch (`?watch=1`) or a followed log streams for as long as its client
 * listens, quiet between events, so it is exempt from the idle limit
 * (`isLongLived`), and the request limit stops counting once the request is
 * in. An import's body streams for as long as the log takes to write it, so
 * it is spared the request limit (`limitRequestTime`) and meets only the
 * idle one.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { QueryBoolean } from './request.ts';

/** The limits, in milliseconds; 0 turns one off (but see `keepAliveMs`). */
export interface HttpTimeouts {
  /**
   * From a connection's first byte (or, before any, its opening) to the end
   * of the request's headers: Node's `headersTimeout` (408, then the socket
   * closes). At most `requestMs`. Default 10 000.
   */
  readonly headersMs: number;
  /**
   * To receive the whole request once its headers are in (408, then the
   * socket closes; `limitRequestTime`). An import (`POST /log/import`) is
   * spared. Default 30 000.
   */
  readonly requestMs: number;
  /**
   * A socket with no traffic either way while a request is being served
   * (a client that stopped reading, a handler that stopped answering):
   * fastify's `connectionTimeout`; the socket is destroyed. Watches and
   * followed logs are exempt. Default 60 000.
   */
  readonly idleMs: number;
  /** An idle keep-alive connection between requests: fastify's `keepAliveTimeout` (0 means fastify's own, 72 s). Default 5 000. */
  readonly keepAliveMs: number;
}

export const defaultHttpTimeouts: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, idleMs: 60_000, keepAliveMs: 5_000 };

/** The environment variable of each limit. */
export const HttpTimeoutVariables = {
  headersMs: 'EVERYNODE_HTTP_HEADERS_TIMEOUT_MS',
  requestMs: 'EVERYNODE_HTTP_REQUEST_TIMEOUT_MS',
  idleMs: 'EVERYNODE_HTTP_IDLE_TIMEOUT_MS',
  keepAliveMs: 'EVERYNODE_HTTP_KEEPALIVE_TIMEOUT_MS',
} as const satisfies Record<keyof HttpTimeouts, string>;

/**
 * The limits: `given`, else the environment (`HttpTimeoutVariables`), else
 * the defaults. A variable that is not a whole number of milliseconds
 * (0 or more) is an error naming it.
 */
export function httpTimeouts(given: Partial<HttpTimeouts> = {}, env: Readonly<Record<string, string | undefined>> = process.env): HttpTimeouts {
  const pick = (key: keyof HttpTimeouts): number => {
    if (given[key] !== undefined) return given[key];
    const name = HttpTimeoutVariables[key];
    const text = env[name]?.trim();
    if (text === undefined || text === '') return defaultHttpTimeouts[key];
    if (!/^\d+$/.test(text)) throw new Error(`${name}: ${JSON.stringify(text)} is not a whole number of milliseconds`);
    return Number(text);
  };
  return { headersMs: pick('headersMs'), requestMs: pick('requestMs'), idleMs: pick('idleMs'), keepAliveMs: pick('keepAliveMs') };
}

/**
 * How often Node looks for requests past their header or request limit
 * (`connectionsCheckingInterval`; Node's default, 30 s, would let a 10 s
 * limit run to 40 s).
 */
export const timeoutCheckEveryMs = 1000;

/**
 * fastify's options for `timeouts` (`http` is handed to `http.createServer`).
 * Node's own request limit stays off: it spares no route (`limitRequestTime`
 * enforces ours).
 */
export function fastifyTimeoutOptions(timeouts: HttpTimeouts) {
  return {
    requestTimeout: 0,
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    http: { headersTimeout: timeouts.headersMs, requestTimeout: 0, connectionsCheckingInterval: timeoutCheckEveryMs },
  };
}

/** Routes whose body is a stream, read as it is processed: spared the request limit. */
const streamedUploads = new Set(['/log/import']);

/**
 * The request limit: a request not wholly received `requestMs` after its
 * headers is answered 408 and its connection closed, as Node's
 * `requestTimeout` would (through the same `clientError` path, so the answer
 * is fastify's), except for a streamed upload — an import reads its body as
 * it writes the log, which may take minutes for a long history.
 */
export function limitRequestTime(app: FastifyInstance, requestMs: number): void {
  if (requestMs <= 0) return;
  app.addHook('onRequest', async (request) => {
    const raw = request.raw;
    if (raw.complete || streamedUploads.has(request.routeOptions.url ?? '')) return;
    const timer = setTimeout(() => {
      if (raw.complete || raw.socket.destroyed) return;
      const error = Object.assign(new Error(`request not received within ${requestMs} ms`), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
      app.server.emit('clientError', error, raw.socket);
    }, requestMs);
    timer.unref();
    raw.once('close', () => clearTimeout(timer));
  });
}

/** True when `value` is a true boolean query parameter, read as the routes read it (`true`, `1`, `t`, …). */
const isTrue = (value: unknown) => typeof value === 'string' && QueryBoolean.safeParse(value).data === true;

/**
 * True for a request whose response streams for as long as the client
 * listens: a watch (`?watch=true`, `1`…, or a `/watch/` path) or a
 * followed log (`?follow=true`).
 */
export function isLongLived(request: FastifyRequest): boolean {
  const query = (request.query ?? {}) as Record<string, unknown>;
  return isTrue(query.watch) || isTrue(query.follow) || request.url.split('?')[0]!.includes('/watch/');
}
