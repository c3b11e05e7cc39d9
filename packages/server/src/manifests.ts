/**
 * A request body as the API server's handlers (`create.go`, `update.go`,
 * `rest.checkName`) first read it, before validation: it must be an object
 * of the endpoint's kind, `apiVersion` and `kind` default to the endpoint's,
 * and its name and namespace must agree with the URL. The texts are
 * upstream's, so kubectl shows the same BadRequest.
 */
import { echo, truncateText } from '@everynode/api';
import { badRequest, StatusError } from './status.ts';

/** A JSON object body. */
export type Manifest = Record<string, unknown> & { metadata: Record<string, unknown> };

/** A value from the body as a message quotes it: a string bare (as upstream prints it), anything else as short JSON; never the whole of a huge one. */
function quoted(value: unknown): string {
  return typeof value === 'string' ? truncateText(value) : echo(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body as an object of `apiVersion`/`kind` (both defaulted when absent), or a 400. */
export function manifestOf(body: unknown, apiVersion: string, kind: string): Manifest {
  if (!isObject(body)) throw new StatusError(badRequest(`the request body must be a JSON object: a ${apiVersion} ${kind}`));
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
    throw new StatusError(badRequest(`the API version in the data (${quoted(body.apiVersion)}) does not match the expected API version (${apiVersion})`));
  }
  if (body.kind !== undefined && body.kind !== kind) {
    throw new StatusError(badRequest(`the kind in the data (${quoted(body.kind)}) does not match the expected kind (${kind})`));
  }
  if (body.metadata !== undefined && !isObject(body.metadata)) {
    throw new StatusError(badRequest('metadata: must be an object'));
  }
  return { ...body, apiVersion, kind, metadata: { ...(body.metadata ?? {}) } };
}

/** PUT: the object's name must be the URL's (`rest.checkName`); an absent name does not match either. */
export function checkName(manifest: Manifest, name: string): void {
  const own = typeof manifest.metadata.name === 'string' ? manifest.metadata.name : '';
  if (own !== name) throw new StatusError(badRequest(`the name of the object (${truncateText(own)}) does not match the name on the URL (${truncateText(name)})`));
}

/**
 * A namespaced write: the object's namespace defaults to the URL's and must
 * equal it. `verb` picks upstream's wording for create and update.
 */
export function inNamespace(manifest: Manifest, namespace: string, verb: 'create' | 'update'): Manifest {
  const own = manifest.metadata.namespace;
  if (own !== undefined && own !== '' && own !== namespace) {
    const message =
      verb === 'create'
        ? 'the namespace of the provided object does not match the namespace sent on the request'
        : `the namespace of the object (${quoted(own)}) does not match the namespace on the URL (${namespace})`;
    throw new StatusError(badRequest(message));
  }
  return { ...manifest, metadata: { ...manifest.metadata, namespace } };
}

/** `manifest` without `metadata.resourceVersion`: a write's precondition, never stored (the log's seq is the version). */
export function withoutResourceVersion(manifest: Manifest): Manifest {
  const { resourceVersion: _version, ...metadata } = manifest.metadata;
  return { ...manifest, metadata };
}
