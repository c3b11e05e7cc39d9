/**
 * Kubernetes watch on every list path (`?watch=true`): a stream of
 * newline-delimited JSON events `{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{…}}`,
 * answered as the API server answers one.
 *
 * - **Where it starts.** Without a `resourceVersion` (or with `""` or `0`):
 *   the present state as ADDED events, then the changes ("Get State and
 *   Start at Most Recent"). With `resourceVersion=N`: the changes after N,
 *   found by comparing the cluster as the log rebuilds it at N
 *   (`history.stateAt`) with the present. An N behind the log's horizon
 *   (it was trimmed there) is an ERROR event with a 410 `Expired` Status —
 *   the client lists again; an N the log has not reached after 3 s is a 504
 *   `Timeout`. `sendInitialEvents=true` (with `resourceVersionMatch=NotOlderThan`
 *   and bookmarks, as the API server requires) sends the present as ADDED,
 *   then a BOOKMARK annotated `k8s.io/initial-events-end`.
 * - **Following.** The watch waits on the engine's shared log waiter
 *   (`history.waitForSeq`), re-reads its collection when the log grows (at
 *   most every `minReadIntervalMs`: commits in between are coalesced) and
 *   sends what changed (`watch-diff.ts`): in increasing resourceVersion
 *   order, each object with the seq of its change; an object the
 *   selectors stop selecting is DELETED, as upstream sends it.
 * - **Bookmarks** (`allowWatchBookmarks=true`): one at the start, then one
 *   after every `bookmarkEveryMs` without an event, carrying only
 *   `metadata.resourceVersion`: the client may resume from there.
 * - **Tables** (kubectl's `Accept: …;as=Table`): each event's object is a
 *   one-row Table; the first event carries the column definitions, later
 *   ones leave them out, as upstream does.
 * - **Ending.** `timeoutSeconds` ends the stream cleanly; so do the client
 *   going away and the server closing (`close()`, from fastify's `preClose`),
 *   which leave no waiter or timer behind.
 *
 * One limit of coalescing: objects changed by one commit share its seq, so a
 * client cut off between two of them and resuming from that seq misses the
 * rest; each read's events are written in one piece to make that unlikely.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { History } from '@everynode/engine';
import type { Status } from '@everynode/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import * as z from 'zod';
import { keyOf, type ListQuery, type Served, tableOf, tableVersionAsked } from './lists.ts';
import { typed } from './objects.ts';
import { NonNegativeInteger, parseRequest, QueryBoolean } from './request.ts';
import { selectorOf } from './selectors.ts';
import { badRequest, expired, failure, StatusError, tooLargeResourceVersion } from './status.ts';
import { applyChanges, type Change, changesBetween, rvDiffers, rvOf, type Versioned } from './watch-diff.ts';

/** How watches behave; every field has a default. */
export interface WatchSettings {
  /** Quiet time after which a watch that allows bookmarks gets one. Default 5 000 ms. */
  readonly bookmarkEveryMs?: number;
  /** Least time between two reads of a watched collection; the commits in between are coalesced. Default 50 ms. */
  readonly minReadIntervalMs?: number;
}

/** What a watched collection offers: its present, and its past. */
export interface WatchSource<T extends Versioned> {
  /**
   * The objects in scope now, each with its resourceVersion; the log's last
   * seq as of the read; and, when the read knows it, the seq that removed
   * an object no longer there.
   */
  present(): Promise<{ readonly items: readonly T[]; readonly lastSeq: number; readonly changedAt?: (key: string) => number | undefined }>;
  /** The objects in scope as they stood after log entry `seq`. Called, if at all, before `present`. */
  asOf(seq: number): Promise<readonly T[]>;
  /** Whether `next` is a change of `previous`. Default: their resourceVersions differ. */
  readonly differs?: (previous: T, next: T) => boolean;
}

/** The annotation of the BOOKMARK that ends `sendInitialEvents` (`metav1.InitialEventsAnnotationKey`). */
export const InitialEventsEnd = 'k8s.io/initial-events-end';

/** How long a watch from a resourceVersion the log has not reached waits for it (upstream's 3 s). */
const tooLargeWaitMs = 3000;

/** A watch's own parameters (selectors and `includeObject` are the list's). */
const WatchQuery = z.looseObject({
  /** Where to start: empty or 0 for the present state, else a seq. */
  resourceVersion: z.string().regex(/^\d*$/, 'must be a resourceVersion this server gave: a non-negative integer').optional(),
  allowWatchBookmarks: QueryBoolean.optional(),
  timeoutSeconds: NonNegativeInteger.optional(),
  sendInitialEvents: QueryBoolean.optional(),
  resourceVersionMatch: z.enum(['NotOlderThan', 'Exact'], { error: 'must be NotOlderThan or Exact' }).optional(),
});
type WatchQuery = z.infer<typeof WatchQuery>;

/** Where a watch starts. */
type Start =
  /** The present as ADDED events; `endBookmark`: then the initial-events-end BOOKMARK; the log reaching `notOlderThan` first. */
  | { readonly from: 'present'; readonly initialEvents: true; readonly endBookmark: boolean; readonly notOlderThan?: number }
  /** The present, sent as nothing: only later changes. */
  | { readonly from: 'present'; readonly initialEvents: false }
  /** The changes after seq `rv`. */
  | { readonly from: 'seq'; readonly rv: number };

/** The start a query asks for, or a 400 naming the parameter at fault (checked as upstream's `ValidateListOptions`). */
function startOf(query: WatchQuery): Start {
  const rv = query.resourceVersion === undefined || query.resourceVersion === '' ? 0 : Number(query.resourceVersion);
  if (query.sendInitialEvents === undefined) {
    if (query.resourceVersionMatch !== undefined) throw new StatusError(badRequest('query parameter "resourceVersionMatch": forbidden for watch unless sendInitialEvents is provided'));
    return rv === 0 ? { from: 'present', initialEvents: true, endBookmark: false } : { from: 'seq', rv };
  }
  if (query.resourceVersionMatch !== 'NotOlderThan') throw new StatusError(badRequest('query parameter "resourceVersionMatch": must be NotOlderThan when sendInitialEvents is provided'));
  if (query.sendInitialEvents) {
    if (query.allowWatchBookmarks !== true) throw new StatusError(badRequest('query parameter "allowWatchBookmarks": must be true when sendInitialEvents is true'));
    // Any state not older than `rv` will do: the present is one, once the log has reached `rv`.
    return { from: 'present', initialEvents: true, endBookmark: true, notOlderThan: rv };
  }
  return rv === 0 ? { from: 'present', initialEvents: false } : { from: 'seq', rv };
}

/** Writes a watch's events on the raw response, as JSON lines. */
class EventWriter<T extends Versioned> {
  #first = true;

  constructor(
    private readonly res: ServerResponse,
    private readonly served: Served<T>,
    /** The Table version asked for, if a Table was. */
    private readonly table: string | undefined,
    private readonly includeObject: ListQuery['includeObject'],
  ) {}

  /** Whether the client can still be written to. */
  get open(): boolean {
    return !this.res.destroyed && this.res.writable;
  }

  /** Send `changes` in one write. */
  changes(changes: readonly Change<T>[]): Promise<void> {
    return this.#write(changes.map(({ type, object, rv }) => this.#line(type, this.#object(object, rv))).join(''));
  }

  /** A BOOKMARK at `rv`: only `metadata.resourceVersion` (and the initial-events-end annotation when it is that one). */
  bookmark(rv: number, initialEventsEnd = false): Promise<void> {
    const metadata = { resourceVersion: String(rv), ...(initialEventsEnd ? { annotations: { [InitialEventsEnd]: 'true' } } : {}) };
    const object = this.table === undefined ? { apiVersion: this.served.apiVersion, kind: this.served.kind, metadata } : this.#table([], metadata);
    return this.#write(this.#line('BOOKMARK', object));
  }

  /** An ERROR event carrying `status` (never a Table, as upstream). */
  error(status: Status): Promise<void> {
    return this.#write(this.#line('ERROR', status));
  }

  #object(object: T, rv: number): object {
    if (this.table === undefined) return typed(this.served.apiVersion, this.served.kind, object);
    return this.#table([object], { resourceVersion: String(rv) });
  }

  /** A Table of `objects`; the column definitions only in the stream's first event. */
  #table(objects: readonly T[], metadata: { resourceVersion: string }): object {
    const { columnDefinitions, ...rest } = tableOf(this.served, this.table as string, objects, metadata, this.includeObject);
    return this.#first ? { ...rest, columnDefinitions } : rest;
  }

  #line(type: string, object: object): string {
    this.#first = false;
    return `${JSON.stringify({ type, object })}\n`;
  }

  async #write(text: string): Promise<void> {
    if (text === '' || !this.open) return;
    if (this.res.write(text)) return;
    // A slow reader: wait for it to drain (or go away) before reading more.
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }
}

/** One watch's stream, from its start to its end. */
class WatchStream<T extends Versioned> {
  #sent = new Map<string, T>();
  #seq = 0;
  #lastRead = 0;
  #lastWrite = Date.now();

  constructor(
    private readonly history: History,
    private readonly settings: Required<WatchSettings>,
    private readonly source: WatchSource<T>,
    private readonly selects: (object: T) => boolean,
    private readonly writer: EventWriter<T>,
    private readonly bookmarks: boolean,
    private readonly signal: AbortSignal,
  ) {}

  async run(start: Start): Promise<void> {
    const started = start.from === 'seq' ? await this.#fromSeq(start.rv) : await this.#fromPresent(start);
    if (!started || this.signal.aborted) return;
    if (this.bookmarks && !(start.from === 'present' && start.initialEvents && start.endBookmark)) await this.#bookmark();
    await this.#follow();
  }

  /** Start at the present: send it as ADDED (unless asked not to). */
  async #fromPresent(start: Extract<Start, { from: 'present' }>): Promise<boolean> {
    if (start.initialEvents && start.notOlderThan !== undefined && !(await this.#reached(start.notOlderThan))) return false;
    const present = await this.source.present();
    const selected = present.items.filter(this.selects);
    this.#seq = present.lastSeq;
    if (!start.initialEvents) {
      this.#sent = new Map(selected.map((o) => [keyOf(o), o]));
      return true;
    }
    // In resourceVersion order, as later events are: a client resuming from any of them has all before it.
    const changes = changesBetween(new Map(), selected, this.#comparison(present));
    this.#sent = applyChanges(this.#sent, changes);
    await this.#send(changes);
    if (start.endBookmark) await this.#bookmark(true);
    return true;
  }

  /** Start after seq `rv`: what changed since, from the state the log rebuilds at `rv`. */
  async #fromSeq(rv: number): Promise<boolean> {
    if (!(await this.#available(rv))) return false;
    let past: readonly T[];
    try {
      past = await this.source.asOf(rv);
    } catch (error) {
      // Trimmed between the horizon check and the replay.
      if (!(await this.#available(rv))) return false;
      throw error;
    }
    const present = await this.source.present();
    const now = new Map(present.items.map((o) => [keyOf(o), o]));
    // What the client holds at `rv`: an object unchanged since is the present one, resourceVersion and all.
    const held = past.filter(this.selects).map((o): [string, T] => {
      const current = now.get(keyOf(o));
      return [keyOf(o), current !== undefined && rvOf(current) <= rv ? current : o];
    });
    this.#sent = new Map(held);
    this.#seq = present.lastSeq;
    await this.#apply(present);
    return true;
  }

  /** Whether the log can answer from `rv`; when not, the ERROR event that says why has been sent. */
  async #available(rv: number): Promise<boolean> {
    const horizon = await this.history.logHorizon();
    if (rv < horizon) {
      await this.writer.error(expired(rv, horizon));
      return false;
    }
    return this.#reached(rv);
  }

  /** Whether the log has reached `rv`, waiting a little for it; when not, the 504 ERROR event has been sent. */
  async #reached(rv: number): Promise<boolean> {
    const last = await this.history.lastSeq();
    if (rv <= last) return true;
    if (await this.history.waitForSeq(rv - 1, { timeoutMs: tooLargeWaitMs, signal: this.signal })) return true;
    if (!this.signal.aborted) await this.writer.error(tooLargeResourceVersion(rv, await this.history.lastSeq(), 1));
    return false;
  }

  /** Wait for the log to grow, send what changed, and bookmark the quiet, until the stream ends. */
  async #follow(): Promise<void> {
    while (!this.signal.aborted) {
      const quiet = this.bookmarks ? Math.max(0, this.#lastWrite + this.settings.bookmarkEveryMs - Date.now()) : 60_000;
      const grown = await this.history.waitForSeq(this.#seq, { timeoutMs: quiet, signal: this.signal });
      if (this.signal.aborted) return;
      if (grown) {
        await this.#coalesce();
        if (this.signal.aborted) return;
        await this.#apply(await this.source.present());
      }
      if (this.bookmarks && Date.now() - this.#lastWrite >= this.settings.bookmarkEveryMs) await this.#bookmark();
    }
  }

  /** Leave at least `minReadIntervalMs` between two reads, so that a burst of commits costs one. */
  async #coalesce(): Promise<void> {
    const wait = this.#lastRead + this.settings.minReadIntervalMs - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal: this.signal }).catch(() => undefined);
    this.#lastRead = Date.now();
  }

  async #apply(present: Awaited<ReturnType<WatchSource<T>['present']>>): Promise<void> {
    const changes = changesBetween(this.#sent, present.items, this.#comparison(present));
    this.#sent = applyChanges(this.#sent, changes);
    this.#seq = Math.max(this.#seq, present.lastSeq);
    await this.#send(changes);
  }

  #comparison(present: Awaited<ReturnType<WatchSource<T>['present']>>) {
    return { selects: this.selects, differs: this.source.differs ?? rvDiffers, removedAt: present.changedAt ?? (() => undefined), lastSeq: present.lastSeq };
  }

  async #send(changes: readonly Change<T>[]): Promise<void> {
    if (changes.length === 0) return;
    await this.writer.changes(changes);
    this.#lastWrite = Date.now();
  }

  async #bookmark(initialEventsEnd = false): Promise<void> {
    await this.writer.bookmark(this.#seq, initialEventsEnd);
    this.#lastWrite = Date.now();
  }
}

/**
 * The server's watches: starts each, and ends them all when the server
 * closes. One per server (`buildServer` makes it).
 */
export class Watches {
  readonly #history: History;
  readonly #settings: Required<WatchSettings>;
  readonly #active = new Map<AbortController, Promise<void>>();

  constructor(history: History, settings: WatchSettings = {}) {
    this.#history = history;
    this.#settings = { bookmarkEveryMs: settings.bookmarkEveryMs ?? 5000, minReadIntervalMs: settings.minReadIntervalMs ?? 50 };
  }

  /** Watches streaming now. */
  get active(): number {
    return this.#active.size;
  }

  /**
   * Answer `request` (a list path with `watch=true`) with the watch of
   * `source`. Bad parameters are a 400 before anything is streamed; after
   * that, an error ends the stream with an ERROR event.
   */
  serve<T extends Versioned>(request: FastifyRequest, reply: FastifyReply, served: Served<T>, source: WatchSource<T>, list: ListQuery): FastifyReply {
    const query = parseRequest(WatchQuery, request.query, 'query parameter');
    const start = startOf(query);
    const selects = selectorOf(list, served.fields);
    const writer = new EventWriter(reply.raw, served, tableVersionAsked(request.headers.accept), list.includeObject);
    const controller = new AbortController();
    const stream = new WatchStream(this.#history, this.#settings, source, selects, writer, query.allowWatchBookmarks === true, controller.signal);

    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
    reply.raw.flushHeaders();
    const stop = () => controller.abort();
    reply.raw.once('close', stop);
    const timer = query.timeoutSeconds === undefined || query.timeoutSeconds === 0 ? undefined : setTimeout(stop, query.timeoutSeconds * 1000);

    const done = stream
      .run(start)
      .catch(async (error: unknown) => {
        if (controller.signal.aborted) return;
        request.log.error({ err: error }, 'watch failed');
        const status = error instanceof StatusError ? error.status : failure(500, error instanceof Error ? error.message : String(error));
        await writer.error(status);
      })
      .finally(() => {
        clearTimeout(timer);
        reply.raw.off('close', stop);
        this.#active.delete(controller);
        if (!reply.raw.writableEnded) reply.raw.end();
      });
    this.#active.set(controller, done);
    return reply;
  }

  /** End every watch (each stream ends cleanly) and wait until they have. */
  async close(): Promise<void> {
    const running = [...this.#active];
    for (const [controller] of running) controller.abort();
    await Promise.all(running.map(([, done]) => done));
  }
}

/** Whether an object is in `namespace` (every object is, when there is none): a per-namespace watch's past. */
export function inScope(namespace: string | undefined): (object: Versioned) => boolean {
  return (object) => namespace === undefined || object.metadata.namespace === namespace;
}
