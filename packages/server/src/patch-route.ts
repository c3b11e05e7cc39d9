/**
 * PATCH paths. Each is registered in a scope of its own whose parsers read
 * the JSON patch types as JSON, server-side apply's as YAML (kubectl sends
 * JSON, which is YAML too) and any other body as text, so the handler, not
 * fastify, answers an unserved media type — with upstream's 415 naming the
 * served ones. `PatchOptions` are checked as upstream's
 * `ValidatePatchOptions` does: an apply names its field manager, and only
 * an apply may say `force`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import type { FieldError } from '@everynode/api';
import { formatFieldError } from '@everynode/api';
import { emptyTolerantJsonParser } from './json-body.ts';
import { PatchType, patchTypeOf, patchTypes } from './patch.ts';
import { parseRequest, writerOf } from './request.ts';
import { badRequest, invalid, type Resource, StatusError } from './status.ts';

/** What a PATCH handler is given, checked: the patch's type, its body (parsed), and the client's field manager (`writerOf`). */
export interface PatchRequest {
  readonly type: PatchType;
  readonly body: unknown;
  readonly fieldManager: string | undefined;
}

/** What a PATCH handler answers: the object as it now stands, and whether the patch created it (a server-side apply can). */
export interface Patched {
  readonly object: unknown;
  readonly created: boolean;
}

/** Aliases a YAML body may expand, at most: a small document cannot grow into a huge one ("billion laughs"). */
const maxYamlAliases = 100;

/** A server-side apply body: YAML (JSON included) to a value, or a 400 saying where it is not YAML. */
function yamlParser(_request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void): void {
  if (body.trim() === '') return done(null, undefined);
  try {
    done(null, parseYaml(body, { maxAliasCount: maxYamlAliases, uniqueKeys: true }));
  } catch (error) {
    done(new StatusError(badRequest(`the apply patch is not valid YAML: ${(error as Error).message.split('\n')[0]}`)));
  }
}

const PatchOptionsResource: Resource = { group: 'meta.k8s.io', resource: 'patchoptions', kind: 'PatchOptions' };

const PatchQuery = z.looseObject({ force: z.enum(['true', 'false'], { error: 'must be true or false' }).optional() });

/** `ValidatePatchOptions`: 422 Invalid about `PatchOptions.meta.k8s.io`, in upstream's words. */
function checkPatchOptions(type: PatchType, query: unknown): void {
  const { force, fieldManager } = parseRequest(PatchQuery.extend({ fieldManager: z.string().optional() }), query, 'query parameter');
  const errors: FieldError[] = [];
  if (type === PatchType.apply && (fieldManager ?? '') === '') errors.push({ type: 'Required', field: 'fieldManager', detail: 'is required for apply patch' });
  if (type !== PatchType.apply && force !== undefined) errors.push({ type: 'Forbidden', field: 'force', detail: 'may not be specified for non-apply patch' });
  if (errors.length === 0) return;
  const messages = errors.map(formatFieldError);
  const message = `PatchOptions.meta.k8s.io "" is invalid: ${messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`}`;
  throw new StatusError(invalid(PatchOptionsResource, '', message, errors));
}

/** Register `PATCH url` on `app`; `handle` answers with the patched object (201 when a server-side apply created it). */
export function patchRoute(app: FastifyInstance, url: string, handle: (request: FastifyRequest, patch: PatchRequest) => Promise<Patched>): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      patchTypes.filter((t) => t !== PatchType.apply),
      { parseAs: 'buffer' },
      emptyTolerantJsonParser(scope),
    );
    scope.addContentTypeParser(PatchType.apply, { parseAs: 'string' }, yamlParser);
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.patch(url, async (request, reply) => {
      const type = patchTypeOf(request.headers['content-type']);
      checkPatchOptions(type, request.query);
      const { object, created } = await handle(request, { type, body: request.body, fieldManager: writerOf(request) });
      return reply.code(created ? 201 : 200).send(object);
    });
  });
}
