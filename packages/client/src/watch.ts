/**
 * Watching a collection (`GET …?watch=true`): an async iterable of its
 * events, read line by line off the server's stream. It resumes: when a
 * stream ends or breaks, it watches again from the last resourceVersion it
 * received (bookmarks included), so a consumer sees every change once.
 * An ERROR event — a 410 `Expired` when the resourceVersion is older than
 * the server's log horizon — ends it with an `ApiError`: list again, then
 * watch from the list's resourceVersion.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControllerRevision, DaemonSet, KubeEvent, NamespaceObject, Node, Pod } from '@everynode/api';
import { StatusSchema, type WatchEvent as WireWatchEvent, WatchEventSchema } from '@everynode/api';
import * as z from 'zod';
import { ApiError, UnexpectedAnswerError } from './errors.ts';
import { type HttpOptions, openStream } from './http.ts';
import { controllerRevisionsPath, daemonSetsPath, eventsPath, nodesPath, podsPath } from './paths.ts';
import type { Answer } from './tls.ts';

/** The collections a watch can follow, by their plural resource name, and their objects. */
export interface Watched {
  readonly daemonsets: DaemonSet;
  readonly nodes: Node;
  readonly pods: Pod;
  readonly events: KubeEvent;
  readonly namespaces: NamespaceObject;
  readonly controllerrevisions: ControllerRevision;
}
export type WatchedResource = keyof Watched;

/** How long to wait before watching again after a stream broke. */
const resumePauseMs = 200;

/** One change: the object after it (before it, for DELETED); a BOOKMARK's carries only `metadata.resourceVersion`. */
export interface WatchEvent<T> {
  readonly type: Exclude<WireWatchEvent['type'], 'ERROR'>;
  readonly object: T;
}

export interface WatchOptions {
  /** Only objects in this namespace; omitted means every namespace (required for `controllerrevisions`). */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /**
   * Start after this resourceVersion (a list's, or an event's): only the
   * changes since. Unset: the present state first, as ADDED events.
   */
  readonly resourceVersion?: string;
  /** Each stream ends after this long, and so does the watch (no resume). Default: no limit. */
  readonly timeoutSeconds?: number;
  /** Watch again from the last resourceVersion when a stream ends or breaks. Default: true, unless `timeoutSeconds` is set. */
  readonly resume?: boolean;
  /** Ends the watch: the iteration returns. */
  readonly signal?: AbortSignal;
}

/** The list path a resource is watched on. */
export function watchPath(resource: WatchedResource, namespace: string | undefined): string {
  switch (resource) {
    case 'daemonsets':
      return daemonSetsPath(namespace);
    case 'nodes':
      return nodesPath();
    case 'pods':
      return podsPath(namespace);
    case 'events':
      return eventsPath(namespace);
    case 'namespaces':
      return '/api/v1/namespaces';
    case 'controllerrevisions':
      if (namespace === undefined) throw new TypeError('controllerrevisions are watched in one namespace: give options.namespace');
      return controllerRevisionsPath(namespace);
    default: {
      const unknown: never = resource;
      throw new TypeError(`unknown resource ${String(unknown)}`);
    }
  }
}

const MetadataSchema = z.looseObject({ metadata: z.looseObject({ resourceVersion: z.string().optional() }).optional() });

/** The watch of `path`: its events, resumed across streams as `options` says. */
export async function* watchEvents<T>(http: HttpOptions, path: string, options: WatchOptions = {}): AsyncGenerator<WatchEvent<T>, void, undefined> {
  const resume = options.resume ?? options.timeoutSeconds === undefined;
  let resourceVersion = options.resourceVersion;
  const own = new AbortController();
  const signal = options.signal === undefined ? own.signal : AbortSignal.any([own.signal, options.signal]);
  try {
    while (!signal.aborted) {
      const query = {
        watch: 'true',
        allowWatchBookmarks: 'true',
        resourceVersion,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        timeoutSeconds: options.timeoutSeconds,
      };
      let response: Answer;
      try {
        response = await openStream(http, { path, query }, signal);
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
      try {
        for await (const event of eventsOf(response, path)) {
          if (event.type === 'ERROR') throw errorOf(event.object);
          resourceVersion = MetadataSchema.safeParse(event.object).data?.metadata?.resourceVersion ?? resourceVersion;
          yield { type: event.type, object: event.object as T };
        }
      } catch (error) {
        // A stream cut off (the server went, the network broke) is resumed; an answer the server gave is not.
        if (signal.aborted) return;
        if (error instanceof ApiError || error instanceof UnexpectedAnswerError || !resume) throw error;
        await sleep(resumePauseMs, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (!resume) return;
    }
  } finally {
    // A consumer that stops iterating closes the stream.
    own.abort();
  }
}

/** The events on one stream's body, one JSON line each; a trailing partial line (a cut stream) is dropped. */
async function* eventsOf(response: Answer, path: string): AsyncGenerator<WireWatchEvent> {
  if (response.body === null) return;
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== '') yield parseEvent(line, path);
    }
  }
}

function parseEvent(line: string, path: string): WireWatchEvent {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new UnexpectedAnswerError(`GET ${path}?watch=true`, `not JSON: ${line.slice(0, 120)}`);
  }
  const parsed = WatchEventSchema.safeParse(json);
  if (!parsed.success) throw new UnexpectedAnswerError(`GET ${path}?watch=true`, z.prettifyError(parsed.error));
  return parsed.data;
}

/** An ERROR event's Status as the error it is (a 410 `Expired` when the resourceVersion is too old). */
function errorOf(object: unknown): ApiError {
  const status = StatusSchema.safeParse(object);
  return new ApiError(status.success ? (status.data.code ?? 500) : 500, status.success ? status.data : undefined, JSON.stringify(object));
}
