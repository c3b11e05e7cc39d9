/**
 * Who may do what over HTTP, checked before any route runs, in this order:
 *
 * 1. **Host and Origin** (`auth-hosts.ts`): a rebound name or another
 *    site's write is a 403.
 * 2. **Authentication**: `Authorization: Bearer TOKEN`, one of the
 *    configured tokens (`auth-tokens.ts`); an unknown token, or none on a
 *    path that is not public, is kube-apiserver's 401 with
 *    `WWW-Authenticate: Bearer`.
 * 3. **Rate limit** (@fastify/rate-limit), per token name, else per IP
 *    address — unknown tokens included, so guessing is limited too: a 429
 *    Status with `Retry-After`.
 * 4. **Authorization** (`auth-access.ts`): the verb's permission, or
 *    kube-apiserver's 403 (`nodes "x" is forbidden: User "alice" cannot
 *    delete resource "nodes" in API group "" at the cluster scope`).
 *
 * Then the handler runs as the token's name, which goes on every event it
 * submits (`auth-user.ts`). Every answer carries helmet's headers.
 *
 * Without `tokens` nothing is authenticated and every request may do
 * everything — `buildServer`'s default, for embedding and tests; `up` and
 * the API service configure tokens. The Host and Origin checks and the
 * headers apply either way.
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { attributesOf, forbidden, isPublic, requiredPermission, unauthorized } from './auth-access.ts';
import { checkHost, checkOrigin, type HostPolicy } from './auth-hosts.ts';
import { isQueueBoardPath, queueBoardToken } from './queue-board-paths.ts';
import { grants, type Identity, type Token, TokenTable } from './auth-tokens.ts';
import { runAs } from './auth-user.ts';
import { failure, StatusError } from './status.ts';

/** How many requests one client may make in a window. */
export interface RateLimit {
  /** Requests per window per token name (per IP address for a request without a known token). */
  readonly max: number;
  /** The window, in milliseconds. */
  readonly windowMs: number;
}

/** The default limit: 6,000 requests a minute per client (100/s, sustained), far above what kubectl or the CLI send. */
export const defaultRateLimit: RateLimit = { max: 6000, windowMs: 60_000 };

export interface AuthOptions {
  /**
   * The bearer tokens accepted. Absent: no authentication — every request
   * may do everything. Empty: only the public paths (`/healthz`, `/livez`,
   * `/readyz`, `/version`) are served.
   */
  readonly tokens?: readonly Token[];
  /**
   * Host names and addresses served besides loopback ones
   * (`EVERYNODE_ALLOWED_HOSTS`). Empty (the default): the Host check applies
   * to requests that reached a loopback address only; non-empty: to every
   * request.
   */
  readonly allowedHosts?: readonly string[];
  /** Per-client limit. Default: `defaultRateLimit` when `tokens` is set, none otherwise; `false`: none. */
  readonly rateLimit?: RateLimit | false;
}

/** A Content-Security-Policy for an API that serves no page: nothing may load, nothing may frame it. */
const helmetOptions = { contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } };

/** The token of `Authorization: Bearer TOKEN`; `''` for an Authorization header of another kind; undefined for none. */
function bearerOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1] ?? '';
}

/** The challenge a 401 carries (RFC 6750 §3): `invalid_token` when a token was sent and is not known. */
function challenge(presented: string | undefined): string {
  return presented === undefined ? 'Bearer realm="everynode"' : 'Bearer realm="everynode", error="invalid_token"';
}

/** What the server adds to `AuthOptions`: more paths anyone may GET (the dashboard's files). */
interface ServedPublicly {
  readonly publicPath?: (path: string) => boolean;
}

async function auth(app: FastifyInstance, options: AuthOptions & ServedPublicly): Promise<void> {
  await app.register(helmet, helmetOptions);
  const policy: HostPolicy = { allowedHosts: options.allowedHosts ?? [] };
  const table = options.tokens === undefined ? undefined : new TokenTable(options.tokens);
  const identities = new WeakMap<FastifyRequest, Identity>();
  const limit = options.rateLimit ?? (table ? defaultRateLimit : false);
  let limiter: ReturnType<FastifyInstance['createRateLimit']> | undefined;
  const windowSeconds = limit ? limit.windowMs / 1000 : 0;
  if (limit) {
    await app.register(rateLimit, { global: false });
    limiter = app.createRateLimit({
      max: limit.max,
      timeWindow: limit.windowMs,
      keyGenerator: (request) => {
        const identity = identities.get(request);
        return identity ? `user:${identity.name}` : `ip:${request.ip}`;
      },
    });
  }

  app.addHook('onRequest', async (request, reply) => {
    const facts = { method: request.method, host: request.headers.host, origin: request.headers.origin, localAddress: request.socket.localAddress };
    const refusal = checkHost(facts, policy) ?? checkOrigin(facts, policy);
    if (refusal) throw new StatusError(refusal);
    if (!table) return;

    const attributes = attributesOf(request.method, request.url);
    // bull-board's own requests carry the token in the queue pages' cookie (`queue-board.ts`), read under `/queues` only.
    const presented = bearerOf(request.headers.authorization) ?? (isQueueBoardPath(attributes.path) ? queueBoardToken(request.headers.cookie) : undefined);
    const identity = presented ? table.identify(presented) : undefined;
    if (identity) identities.set(request, identity);

    if (limiter) {
      const verdict = await limiter(request);
      if (!verdict.isAllowed && verdict.isExceeded) {
        const who = identity ? `user ${JSON.stringify(identity.name)}` : `address ${request.ip}`;
        const seconds = Math.max(1, verdict.ttlInSeconds);
        throw new StatusError(failure(429, `too many requests from ${who}: more than ${verdict.max} in ${windowSeconds} s; retry after ${seconds} s`, { retryAfterSeconds: seconds }));
      }
    }

    const open = isPublic(request.method, attributes.path) || ((request.method === 'GET' || request.method === 'HEAD') && options.publicPath?.(attributes.path) === true);
    if (identity === undefined && (presented !== undefined || !open)) {
      request.log.info({ path: attributes.path, tokenSent: presented !== undefined }, 'unauthorized');
      void reply.header('www-authenticate', challenge(presented));
      throw new StatusError(unauthorized());
    }
    if (identity === undefined || open) return;
    if (!grants(identity.permission, requiredPermission(attributes))) {
      request.log.info({ user: identity.name, verb: attributes.verb, path: attributes.path }, 'forbidden');
      throw new StatusError(forbidden(identity.name, attributes));
    }
  });

  // After the body is read, so the user is current for the whole handler (a hook's `done` runs the next step at once).
  app.addHook('preHandler', (request, _reply, done) => runAs(identities.get(request)?.name, done));
}

/**
 * Register the checks on `app`, for every route, those declared after
 * included (one plugin, not encapsulated). `publicPath` names more paths
 * anyone may GET besides the probes and the version (the dashboard's files).
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions = {}, publicPath?: (path: string) => boolean): void {
  void app.register(fastifyPlugin(auth, { name: 'everynode-auth' }), { ...options, ...(publicPath ? { publicPath } : {}) });
}
