/**
 * The queues' pages: bull-board (`@bull-board/fastify`) at `/queues`, over
 * the engine's BullMQ queues — their depths, jobs, failures, and retries.
 *
 * bull-board's page and its own API calls carry no `Authorization` header,
 * so with authentication on, the dashboard first trades its token for a
 * cookie (`POST /queues/session` with the bearer token): `HttpOnly`,
 * `SameSite=Strict`, sent only under `/queues`, read only there. The
 * permission is the token's, as for any request: viewing takes `read`,
 * a retry `write`, anything else bull-board can do (clean, empty, pause,
 * add) `admin` (`auth-access.ts`).
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { queueBoardCookie, queueBoardPath } from './queue-board-paths.ts';
import { failure, StatusError } from './status.ts';

/** bull-board's page styles itself inline (its loading screen, its components): it needs `'unsafe-inline'` styles, never scripts. */
export const queueBoardContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Register bull-board over `queues` at `/queues`, and `POST /queues/session`, on `app` (in a scope of their own). */
export function registerQueueBoard(app: FastifyInstance, queues: readonly Queue[], options: { readonly secureCookie: boolean }): void {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(queueBoardPath);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { allowRetries: true })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'everynode queues' } },
  });
  // bull-board answers errors in its scope itself: a refusal of the auth checks (401, 403, 429) must stay the Status it is, not a 500.
  serverAdapter.setErrorHandler((error) => {
    const code = error instanceof StatusError ? error.status.code : ((error as { statusCode?: number }).statusCode ?? 500);
    const status = error instanceof StatusError ? error.status : failure(code >= 400 && code < 600 ? code : 500, error.message);
    // bull-board types its status as the few codes it sends itself; fastify sends any.
    return { status: status.code as 500, body: status };
  });
  void app.register(
    async (scope) => {
      scope.addHook('onSend', async (_request, reply, payload) => {
        void reply.header('content-security-policy', queueBoardContentSecurityPolicy);
        return payload;
      });
      // Reached only with a valid token when authentication is on (the auth hook ran first): keep it for bull-board's requests.
      scope.post('/session', async (request, reply) => {
        const token = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1];
        if (token) {
          const secure = options.secureCookie ? '; Secure' : '';
          void reply.header('set-cookie', `${queueBoardCookie}=${encodeURIComponent(token)}; Path=${queueBoardPath}; HttpOnly; SameSite=Strict${secure}`);
        }
        return reply.code(204).send();
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: queueBoardPath },
  );
}
