/**
 * `DeleteOptions` (meta/v1), as the API server's delete handler reads them
 * (`handlers/delete.go`): from the JSON body when there is one (what kubectl
 * sends: `{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":…}`),
 * else from the query (`?propagationPolicy=Orphan&dryRun=All`). A body or
 * parameter of the wrong type is a 400 naming it; values that do not
 * validate (`ValidateDeleteOptions`) are a 422 Invalid about
 * `DeleteOptions.meta.k8s.io`, as upstream answers them.
 */
import { type FieldError, formatFieldError, PropagationPolicy, PropagationPolicySchema } from '@everynode/api';
import * as z from 'zod';
import { parseRequest } from './request.ts';
import { badRequest, conflict, invalid, type Resource, StatusError } from './status.ts';

/** What a DELETE asked for, checked. */
export interface DeleteOptions {
  /** Default `Background`, as for every resource the API serves (`orphanDependents=true` means `Orphan`). */
  readonly propagationPolicy: PropagationPolicy;
  /** The object must have this uid and/or resourceVersion, else 409 Conflict. */
  readonly preconditions: { readonly uid?: string | undefined; readonly resourceVersion?: string | undefined };
  /** `dryRun: ["All"]`: check everything, change nothing. */
  readonly dryRun: boolean;
  /**
   * Accepted and otherwise unused: a DaemonSet or node has no grace period of
   * its own, and a pod's deletion is confirmed by its agent whatever the
   * period.
   */
  readonly gracePeriodSeconds?: number | undefined;
}

const DeleteOptionsResource: Resource = { group: 'meta.k8s.io', resource: 'deleteoptions', kind: 'DeleteOptions' };

/** The body's shape; the values are validated afterwards, as upstream decodes first and validates second. */
const DeleteOptionsBody = z.looseObject({
  kind: z.literal('DeleteOptions', { error: 'must be "DeleteOptions"' }).optional(),
  apiVersion: z.string().optional(),
  propagationPolicy: z.string().optional(),
  orphanDependents: z.boolean().optional(),
  gracePeriodSeconds: z.number().int().optional(),
  dryRun: z.array(z.string()).optional(),
  preconditions: z.looseObject({ uid: z.string().optional(), resourceVersion: z.string().optional() }).optional(),
});
type DeleteOptionsBody = z.infer<typeof DeleteOptionsBody>;

/** The query's (`metav1.DeleteOptions` as URL parameters): preconditions have no parameter. */
const DeleteOptionsQuery = z.looseObject({
  propagationPolicy: z.string().optional(),
  orphanDependents: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  gracePeriodSeconds: z.string().regex(/^-?\d+$/, 'must be an integer').transform(Number).optional(),
  dryRun: z.union([z.string(), z.array(z.string())]).optional(),
});

function fromBody(body: unknown): DeleteOptionsBody {
  const parsed = DeleteOptionsBody.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `DeleteOptions${issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
  throw new StatusError(badRequest(`the request body must be DeleteOptions: ${problems.join('; ')}`));
}

function fromQuery(query: unknown): DeleteOptionsBody {
  const q = parseRequest(DeleteOptionsQuery, query, 'query parameter');
  return {
    ...(q.propagationPolicy !== undefined ? { propagationPolicy: q.propagationPolicy } : {}),
    ...(q.orphanDependents !== undefined ? { orphanDependents: q.orphanDependents === 'true' } : {}),
    ...(q.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: q.gracePeriodSeconds } : {}),
    ...(q.dryRun !== undefined ? { dryRun: typeof q.dryRun === 'string' ? [q.dryRun] : q.dryRun } : {}),
  };
}

/** `ValidateDeleteOptions`: upstream's field errors, in its order. */
function validate(options: DeleteOptionsBody): FieldError[] {
  const errors: FieldError[] = [];
  const policy = options.propagationPolicy;
  if (options.orphanDependents !== undefined && policy !== undefined) {
    errors.push({ type: 'Invalid', field: 'propagationPolicy', value: policy, detail: 'orphanDependents and deletionPropagation cannot be both set' });
  }
  if (policy !== undefined && !PropagationPolicySchema.safeParse(policy).success) {
    errors.push({ type: 'NotSupported', field: 'propagationPolicy', value: policy, supported: ['Foreground', 'Background', 'Orphan', 'nil'] });
  }
  for (const value of options.dryRun ?? []) {
    if (value !== 'All') errors.push({ type: 'NotSupported', field: 'dryRun', value, supported: ['All'] });
  }
  return errors;
}

/** The DELETE's options: the body's when it has one, else the query's; a 400 or 422 when they are not valid. */
export function deleteOptionsOf(body: unknown, query: unknown): DeleteOptions {
  const options = body === undefined ? fromQuery(query) : fromBody(body);
  const errors = validate(options);
  if (errors.length > 0) {
    const messages = [...new Set(errors.map(formatFieldError))];
    const message = `DeleteOptions.meta.k8s.io "" is invalid: ${messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`}`;
    throw new StatusError(invalid(DeleteOptionsResource, '', message, errors));
  }
  const policy =
    (options.propagationPolicy as PropagationPolicy | undefined) ??
    (options.orphanDependents === true ? PropagationPolicy.Orphan : PropagationPolicy.Background);
  return {
    propagationPolicy: policy,
    preconditions: { uid: options.preconditions?.uid, resourceVersion: options.preconditions?.resourceVersion },
    dryRun: (options.dryRun ?? []).includes('All'),
    gracePeriodSeconds: options.gracePeriodSeconds,
  };
}

/**
 * A DELETE's resourceVersion precondition, to check again in the commit
 * (`submitChange`), with the words of a failure found there.
 */
export function preconditionOf(options: DeleteOptions): { ifVersion?: string; conflictReason?: string } {
  const { resourceVersion } = options.preconditions;
  if (resourceVersion === undefined) return {};
  return { ifVersion: resourceVersion, conflictReason: `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: a newer one` };
}

/**
 * `Preconditions.Check`: a uid or resourceVersion the client named must be
 * the object's, else 409 Conflict in upstream's words.
 */
export function checkPreconditions(r: Resource, name: string, options: DeleteOptions, object: { metadata: { uid?: string | undefined; resourceVersion?: string | undefined } }): void {
  const { uid, resourceVersion } = options.preconditions;
  if (uid !== undefined && uid !== object.metadata.uid) {
    throw new StatusError(conflict(r, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${object.metadata.uid ?? ''}`));
  }
  if (resourceVersion !== undefined && resourceVersion !== object.metadata.resourceVersion) {
    throw new StatusError(
      conflict(r, name, `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${object.metadata.resourceVersion ?? ''}`),
    );
  }
}
