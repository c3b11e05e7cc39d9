/**
 * PATCH paths. Each is registered in a scope of its own whose parsers read
 * the three patch types as JSON and any other body as text, so the handler,
 * not fastify, answers an unserved media type — with upstream's 415 naming
 * the served ones (`application/apply-patch+yaml`, server-side apply,
 * included: it is not offered).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { emptyTolerantJsonParser } from './json-body.ts';
import { type PatchType, patchTypeOf, patchTypes } from './patch.ts';
import { fieldManagerOf } from './request.ts';

/** What a PATCH handler is given, checked: the patch's type, its body (parsed), and the client's field manager. */
export interface PatchRequest {
  readonly type: PatchType;
  readonly body: unknown;
  readonly fieldManager: string | undefined;
}

/** Register `PATCH url` on `app`; `handle` answers with the patched object. */
export function patchRoute(app: FastifyInstance, url: string, handle: (request: FastifyRequest, patch: PatchRequest) => Promise<unknown>): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser([...patchTypes], { parseAs: 'buffer' }, emptyTolerantJsonParser(scope));
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.patch(url, async (request) => {
      const type = patchTypeOf(request.headers['content-type']);
      return handle(request, { type, body: request.body, fieldManager: fieldManagerOf(request.query) });
    });
  });
}
