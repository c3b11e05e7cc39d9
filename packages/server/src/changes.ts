/**
 * Writes through the resource paths become CloudEvents, submitted like any
 * other producer's (the log is the only way in), and waited for: the answer
 * goes out only once the event is in the log, so a read that follows sees
 * it (read-your-writes, which `kubectl delete --wait` and `apply` rely on).
 */
import { randomUUID } from 'node:crypto';
import { type EventType, FieldManagerAttribute, IfVersionAttribute } from '@everynode/api';
import type { EventIngress } from '@everynode/engine';
import { conflict, failure, type Resource, StatusError } from './status.ts';

/** The CloudEvents `source` of every change made through the resource paths. */
export const apiSource = 'everynode/api';

/**
 * A CloudEvent from this API: a fresh id, since each request is a new
 * change; the client's field manager when it named one; the resourceVersion
 * the client named, as the change's precondition (`everynodeifversion`).
 */
export function changeEvent(type: EventType, data: unknown, fieldManager?: string, ifVersion?: string) {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: apiSource,
    type,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
    ...(fieldManager === undefined ? {} : { [FieldManagerAttribute]: fieldManager }),
    ...(ifVersion ? { [IfVersionAttribute]: ifVersion } : {}),
  };
}

/**
 * Submit one change and wait for it to reach the log. A refusal (the engine
 * validates again, against the state at that moment) is a 422 about
 * `resource`/`name`; an engine that cannot take or commit it is a 503.
 * `fieldManager` (the client's `?fieldManager=`) is recorded with the event.
 * `ifVersion`, the resourceVersion the client's write named, is checked in
 * the commit: the object moved on since is a 409 Conflict (`conflictReason`,
 * else upstream's "the object has been modified"), the change logged as
 * ignored (the check before submitting only answers sooner).
 */
export async function submitChange(
  ingress: EventIngress,
  type: EventType,
  data: unknown,
  about: { resource: Resource; name: string },
  options: { readonly fieldManager?: string | undefined; readonly ifVersion?: string | undefined; readonly conflictReason?: string } = {},
): Promise<void> {
  let result;
  try {
    result = await ingress.submit([changeEvent(type, data, options.fieldManager, options.ifVersion)], { wait: true });
  } catch (error) {
    throw new StatusError(failure(503, `the engine did not confirm the change: ${(error as Error).message}`));
  }
  const refusal = result.refused[0];
  if (refusal) {
    const { group, kind } = about.resource;
    throw new StatusError(failure(422, refusal.reason, { name: about.name, ...(group === '' ? {} : { group }), kind }));
  }
  if (result.accepted[0]?.conflict) throw new StatusError(conflict(about.resource, about.name, options.conflictReason));
}

/** The resourceVersion a write names (`metadata.resourceVersion`), when it names one. */
export function namedVersion(manifest: unknown): string | undefined {
  const version = (manifest as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
  return typeof version === 'string' && version !== '' ? version : undefined;
}
