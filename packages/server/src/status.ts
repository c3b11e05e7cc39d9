/**
 * Kubernetes `metav1.Status` answers, worded as the API server words them
 * (apimachinery `pkg/api/errors`), so kubectl and scripts written against a
 * real cluster read everynode's errors unchanged. Every error this server
 * sends is one of these.
 */
import { type FieldError, type FieldErrorType, formatFieldError, type Status, type StatusDetails } from '@everynode/api';

/** A resource as the Status details name it. */
export interface Resource {
  /** API group; `''` for the core group, which Kubernetes leaves out of messages and details. */
  readonly group: string;
  /** Plural resource name (`daemonsets`), used in messages and NotFound details. */
  readonly resource: string;
  /** Kind (`DaemonSet`), used in Invalid details. */
  readonly kind: string;
}

/** The resources whose errors this server words. */
export const Resources = {
  daemonSets: { group: 'apps', resource: 'daemonsets', kind: 'DaemonSet' },
  nodes: { group: '', resource: 'nodes', kind: 'Node' },
  pods: { group: '', resource: 'pods', kind: 'Pod' },
  namespaces: { group: '', resource: 'namespaces', kind: 'Namespace' },
  events: { group: '', resource: 'events', kind: 'Event' },
  controllerRevisions: { group: 'apps', resource: 'controllerrevisions', kind: 'ControllerRevision' },
} as const satisfies Record<string, Resource>;

// The Status shape is the wire's (`@everynode/api` `replies.ts`), which the client reads too.
export type { Status, StatusCause, StatusDetails } from '@everynode/api';

/** A Failure Status thrown from a handler; the server's error handler sends it as is. */
export class StatusError extends Error {
  constructor(readonly status: Status & { readonly code: number }) {
    super(status.message);
    this.name = 'StatusError';
  }
}

/** `StatusReason` for an HTTP code, as apimachinery's `NewGenericServerResponse` picks it. */
const reasons: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The reason Kubernetes gives for an HTTP code (`Unknown` for one it has no name for). */
export function reasonFor(code: number): string {
  return reasons[code] ?? 'Unknown';
}

/** A Failure Status with `code`, its reason, and `message`. */
export function failure(code: number, message: string, details?: StatusDetails): Status & { code: number } {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: reasonFor(code), ...(details ? { details } : {}), code };
}

/** `daemonsets.apps` / `nodes`: the core group is left out, as kubectl prints it. */
function qualified(r: Resource): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`;
}

function detailsOf(r: Resource, name: string): StatusDetails {
  return { name, ...(r.group === '' ? {} : { group: r.group }), kind: r.resource };
}

/** 400 BadRequest (`errors.NewBadRequest`): no details. */
export function badRequest(message: string): Status & { code: number } {
  return failure(400, message);
}

/** 404 `daemonsets.apps "x" not found`. */
export function notFound(r: Resource, name: string): Status & { code: number } {
  return failure(404, `${qualified(r)} ${JSON.stringify(name)} not found`, detailsOf(r, name));
}

/** 409 `daemonsets.apps "x" already exists` (reason AlreadyExists, not Conflict). */
export function alreadyExists(r: Resource, name: string): Status & { code: number } {
  return { ...failure(409, `${qualified(r)} ${JSON.stringify(name)} already exists`, detailsOf(r, name)), reason: 'AlreadyExists' };
}

/** `registry.OptimisticLockErrorMsg`: why a write that named an older resourceVersion failed. */
const modified = 'the object has been modified; please apply your changes to the latest version and try again';

/**
 * 409 Conflict (`errors.NewConflict`): by default, a write named a
 * resourceVersion that is no longer the object's, and kubectl reads again
 * and retries; `reason` says otherwise (a delete's precondition).
 */
export function conflict(r: Resource, name: string, reason = modified): Status & { code: number } {
  return failure(409, `Operation cannot be fulfilled on ${qualified(r)} ${JSON.stringify(name)}: ${reason}`, detailsOf(r, name));
}

/**
 * A write's precondition: a `metadata.resourceVersion` it names (a client's
 * read sent back) must be the current object's, else 409 Conflict. Without
 * one the write applies unconditionally, as upstream's does.
 */
export function checkResourceVersion(r: Resource, name: string, sent: unknown, current: { metadata: { resourceVersion?: string | undefined } } | undefined): void {
  if (typeof sent !== 'string' || sent === '') return;
  if (current?.metadata.resourceVersion !== sent) throw new StatusError(conflict(r, name));
}

const causeReasons: Record<FieldErrorType, string> = {
  Required: 'FieldValueRequired',
  Invalid: 'FieldValueInvalid',
  NotSupported: 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden',
  Duplicate: 'FieldValueDuplicate',
  TooLong: 'FieldValueTooLong',
};

/**
 * 422 Invalid (`errors.NewInvalid`): `message` is the whole aggregate text
 * (`The DaemonSet "x" is invalid: …`); each cause carries the field and the
 * error without its path (`field.Error.ErrorBody()`).
 */
export function invalid(r: Resource, name: string, message: string, errors: readonly FieldError[]): Status & { code: number } {
  const causes = errors.map((e) => ({ reason: causeReasons[e.type], message: formatFieldError({ ...e, field: '' }), field: e.field }));
  return failure(422, message, { name, ...(r.group === '' ? {} : { group: r.group }), kind: r.kind, causes });
}

/**
 * 410 Expired (`errors.NewResourceExpired`): a watch from a resourceVersion
 * older than the oldest the server can still answer from — here the log's
 * horizon, behind which it was trimmed. The client lists again.
 */
export function expired(resourceVersion: number, oldest: number): Status & { code: number } {
  return { ...failure(410, `too old resource version: ${resourceVersion} (${oldest})`), reason: 'Expired' };
}

/**
 * 504 Timeout (`storage.NewTooLargeResourceVersionError`): a watch from a
 * resourceVersion the log has not reached, still not reached after a wait.
 */
export function tooLargeResourceVersion(resourceVersion: number, current: number, retryAfterSeconds: number): Status & { code: number } {
  return {
    ...failure(504, `Too large resource version: ${resourceVersion}, current: ${current}`),
    details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds },
  };
}

/** 200 Success for a DELETE that removed the object at once. */
export function deleted(r: Resource, name: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: detailsOf(r, name) };
}
