/**
 * `EverynodeClient`: typed calls for every path of everynode's HTTP API
 * (docs/contract.md §4). Writes are read-your-writes on the server side, so a `get`
 * after an `apply` sees the change.
 */
import * as z from 'zod';
import type { ControllerRevision, DaemonSet, DeadLetter, DeadLetterPage, KubeEvent, KubeList, LogEntry, LogPage, Node, Pod, PodExplanation, ReplayedCluster, Status, SubmitResult, VerifyResult } from '@everynode/api';
import { DeadLetterPageSchema, DeadLetterSchema, PodExplanationSchema, ReplayedClusterSchema, StatusSchema, SubmitResultSchema, VerifyResultSchema } from '@everynode/api';
import { ApiError, UnexpectedAnswerError } from './errors.ts';
import type { HttpAnswer, HttpOptions, RequestSpec } from './http.ts';
import { exchange } from './http.ts';
import { type Fetch, fetchTrusting } from './tls.ts';
import { controllerRevisionsPath, daemonSetsPath, eventsPath, nodesPath, podExplainPath, podsPath } from './paths.ts';
import { watchEvents, type WatchEvent, type Watched, type WatchedResource, type WatchOptions, watchPath } from './watch.ts';
import { LenientKubeListSchema, LenientLogPageSchema } from './wire.ts';

/** Where everynode listens when nothing says otherwise: `everynode up`'s default (HTTPS on loopback). */
export const DefaultServer = 'https://127.0.0.1:7700';

export interface ClientOptions {
  /** Base URL of the engine's HTTP API. Default `https://127.0.0.1:7700`; a trailing `/` is ignored. */
  readonly server?: string;
  /** Milliseconds to wait for an answer before giving up. Default 30 000. */
  readonly timeoutMs?: number;
  /** The `fetch` to use. Default: Node's global `fetch` (one that trusts `ca` when it is given). */
  readonly fetch?: Fetch;
  /** Bearer token sent with every request (`EVERYNODE_TOKEN`). Default: none. */
  readonly token?: string;
  /** PEM certificate(s) to trust for an https server instead of the system's roots, as kubectl's `certificate-authority` (a self-signed certificate, say). Default: the system's roots. */
  readonly ca?: string;
}

export interface ListOptions {
  /** Only objects in this namespace; omitted means every namespace. */
  readonly namespace?: string;
  /** A Kubernetes label selector (`app=x,tier in (a,b)`), passed as `labelSelector`. */
  readonly labelSelector?: string;
  /** A field selector (`spec.nodeName=worker01,status.phase!=Running`), passed as `fieldSelector`. */
  readonly fieldSelector?: string;
}

export interface EventListOptions {
  /** Only Events in this namespace; omitted means every namespace. */
  readonly namespace?: string;
  /** A field selector (`involvedObject.name=x,involvedObject.kind=DaemonSet`), passed as `fieldSelector`. */
  readonly fieldSelector?: string;
}

/** `GET /log`'s parameters; every filter is optional and they combine with "and". */
export interface LogQuery {
  /** Entries with `seq > after`. Default 0. */
  readonly after?: number;
  /** At most this many (matching) entries. Server default 100. */
  readonly limit?: number;
  /** `pass`, a CloudEvent type or its suffix (`node.joined`); comma-separated for several. */
  readonly type?: string;
  /** `node/NAME`, `pod/[NS/]NAME` or `ds/[NS/]NAME` (namespace `default` when left out). */
  readonly object?: string;
  /** Entries at or after this RFC 3339 time, or this long before the server's now (`1h`). */
  readonly since?: string;
}

/** The stored object after a write, and whether the write created it (201) or updated it (200). */
export interface WriteResult<T> {
  readonly object: T;
  readonly created: boolean;
}

const ObjectSchema = z.looseObject({});

export class EverynodeClient {
  /** The base URL requests go to. */
  readonly server: string;
  readonly #http: HttpOptions;

  constructor(options: ClientOptions = {}) {
    this.server = (options.server ?? DefaultServer).replace(/\/+$/, '');
    this.#http = {
      server: this.server,
      timeoutMs: options.timeoutMs ?? 30_000,
      fetch: options.fetch ?? fetchTrusting(options.ca),
      ...(options.token ? { token: options.token } : {}),
    };
  }

  // DaemonSets ---------------------------------------------------------------

  /** DaemonSets (with status) in `namespace`, or in every namespace. */
  listDaemonSets(options: ListOptions = {}): Promise<KubeList<DaemonSet>> {
    return this.#list(daemonSetsPath(options.namespace), options.labelSelector, options.fieldSelector);
  }

  /** One DaemonSet; `ApiError` with reason `NotFound` when absent. */
  getDaemonSet(namespace: string, name: string): Promise<DaemonSet> {
    return this.#object({ method: 'GET', path: daemonSetsPath(namespace, name) });
  }

  /** Create or replace (PUT): `created` tells which happened. */
  applyDaemonSet(ds: DaemonSet): Promise<WriteResult<DaemonSet>> {
    const { namespace, name } = namedIn(ds);
    return this.#write({ method: 'PUT', path: daemonSetsPath(namespace, name), body: ds });
  }

  /** Create (POST); `ApiError` with reason `AlreadyExists` when present. */
  createDaemonSet(ds: DaemonSet): Promise<DaemonSet> {
    return this.#object({ method: 'POST', path: daemonSetsPath(namedIn(ds).namespace), body: ds });
  }

  /** Delete a DaemonSet (and, on the server, its pods). Resolves with the server's answer body. */
  deleteDaemonSet(namespace: string, name: string): Promise<DaemonSet | Status> {
    return this.#object({ method: 'DELETE', path: daemonSetsPath(namespace, name) });
  }

  // Nodes --------------------------------------------------------------------

  listNodes(options: Pick<ListOptions, 'labelSelector' | 'fieldSelector'> = {}): Promise<KubeList<Node>> {
    return this.#list(nodesPath(), options.labelSelector, options.fieldSelector);
  }

  getNode(name: string): Promise<Node> {
    return this.#object({ method: 'GET', path: nodesPath(name) });
  }

  /** A node joins (POST, `node.joined`); `ApiError` with reason `AlreadyExists` when present. */
  createNode(node: Node): Promise<Node> {
    return this.#object({ method: 'POST', path: nodesPath(), body: node });
  }

  /** A node changes (PUT, `node.updated`) — the whole new object. */
  updateNode(node: Node): Promise<WriteResult<Node>> {
    return this.#write({ method: 'PUT', path: nodesPath(node.metadata.name), body: node });
  }

  /** A node is removed (its daemon pods are deleted by the engine). */
  deleteNode(name: string): Promise<Node | Status> {
    return this.#object({ method: 'DELETE', path: nodesPath(name) });
  }

  // Pods and revisions -------------------------------------------------------

  listPods(options: ListOptions = {}): Promise<KubeList<Pod>> {
    return this.#list(podsPath(options.namespace), options.labelSelector, options.fieldSelector);
  }

  getPod(namespace: string, name: string): Promise<Pod> {
    return this.#object({ method: 'GET', path: podsPath(namespace, name) });
  }

  listControllerRevisions(namespace: string, options: Pick<ListOptions, 'labelSelector'> = {}): Promise<KubeList<ControllerRevision>> {
    return this.#list(controllerRevisionsPath(namespace), options.labelSelector);
  }

  // Watch ----------------------------------------------------------------------

  /**
   * The changes of a collection as they happen (`?watch=true`): without
   * `resourceVersion`, its present state first as ADDED events; with one,
   * the changes after it. Resumes from the last resourceVersion received
   * when a stream ends or breaks; an ERROR event ends it with an
   * `ApiError` (410 `Expired`: list again). Stop by breaking out of the
   * loop or aborting `options.signal`.
   */
  watch<R extends WatchedResource>(resource: R, options: WatchOptions = {}): AsyncGenerator<WatchEvent<Watched[R]>, void, undefined> {
    return watchEvents<Watched[R]>(this.#http, watchPath(resource, options.namespace), options);
  }

  // History: Kubernetes Events and explanations, derived from the log -------

  /** The DaemonSet controller's Events (`v1 EventList`), as `kubectl describe` reads them. */
  listEvents(options: EventListOptions = {}): Promise<KubeList<KubeEvent>> {
    return this.#list(eventsPath(options.namespace), undefined, options.fieldSelector);
  }

  /** How a pod came to be and (if so) went: `ApiError` with reason `NotFound` when the log never mentions it. */
  async explainPod(namespace: string, name: string): Promise<PodExplanation> {
    const path = podExplainPath(namespace, name);
    const answer = await exchange(this.#http, { method: 'GET', path });
    return parse(PodExplanationSchema, answer, `GET ${path}`);
  }

  // Events, log, verification, health ----------------------------------------

  /**
   * Post CloudEvents in batch mode (`application/cloudevents-batch+json`).
   * Resolves with accepted and refused alike — also when every event was
   * refused (HTTP 400 with the same shape).
   */
  submitEvents(events: readonly unknown[]): Promise<SubmitResult> {
    return this.#submit(events, 'application/cloudevents-batch+json');
  }

  /** Post one CloudEvent in structured mode (`application/cloudevents+json`). */
  submitEvent(event: unknown): Promise<SubmitResult> {
    return this.#submit(event, 'application/cloudevents+json');
  }

  /** Log entries with `seq > after` (default 0), at most `limit` (server default 100). */
  async readLog(options: { after?: number; limit?: number } = {}): Promise<LogEntry[]> {
    const answer = await exchange(this.#http, { method: 'GET', path: '/log', query: { after: options.after, limit: options.limit } });
    return parse(LenientLogPageSchema, answer, 'GET /log').items;
  }

  /**
   * One page of the log, filtered on the server (`GET /log`): at most `limit`
   * matching entries after `after`, and `next`, the `after` to continue from.
   */
  async readLogPage(options: LogQuery = {}): Promise<LogPage> {
    const { after, limit, type, object, since } = options;
    const answer = await exchange(this.#http, { method: 'GET', path: '/log', query: { after, limit, type, object, since } });
    const page = parse(LenientLogPageSchema, answer, 'GET /log');
    const items = page.items;
    return { items, next: page.next ?? items.at(-1)?.seq ?? after ?? 0, horizon: page.horizon ?? 0 };
  }

  /** The cluster rebuilt from the log as it stood after seq `to`, or at time `at` (`GET /state`). */
  async stateAt(point: { readonly to?: number; readonly at?: string }): Promise<ReplayedCluster> {
    const answer = await exchange(this.#http, { method: 'GET', path: '/state', query: { to: point.to, at: point.at } });
    return parse(ReplayedClusterSchema, answer, 'GET /state');
  }

  /** Rebuild the state from the log on the server and compare it with the live one. */
  async verify(): Promise<VerifyResult> {
    const answer = await exchange(this.#http, { method: 'GET', path: '/state/verify' });
    return parse(VerifyResultSchema, answer, 'GET /state/verify');
  }

  // The dead-letter queue --------------------------------------------------

  /** Dead letters, oldest first (`GET /dlq`): `offset` skipped, at most `limit` (server default 100), and how many there are. */
  async listDeadLetters(options: { offset?: number; limit?: number } = {}): Promise<DeadLetterPage> {
    const answer = await exchange(this.#http, { method: 'GET', path: '/dlq', query: { offset: options.offset, limit: options.limit } });
    return parse(DeadLetterPageSchema, answer, 'GET /dlq');
  }

  /** One dead letter; `ApiError` 404 when there is none with that id. */
  async getDeadLetter(id: string): Promise<DeadLetter> {
    const path = `/dlq/${encodeURIComponent(id)}`;
    return parse(DeadLetterSchema, await exchange(this.#http, { method: 'GET', path }), `GET ${path}`);
  }

  /** Submit a dead letter again and drop it: what became of it, as for `submitEvents` (refused: parked again under a new id). */
  async replayDeadLetter(id: string): Promise<SubmitResult> {
    const path = `/dlq/${encodeURIComponent(id)}/replay`;
    return parse(SubmitResultSchema, await exchange(this.#http, { method: 'POST', path, acceptStatus: [400] }), `POST ${path}`);
  }

  /** Drop a dead letter; `ApiError` 404 when there is none with that id. */
  async dropDeadLetter(id: string): Promise<void> {
    await exchange(this.#http, { method: 'DELETE', path: `/dlq/${encodeURIComponent(id)}` });
  }

  /** The server's `version.Info` (`GET /version`): `gitVersion`, `major`, `minor`, …, as `kubectl version` reads it. */
  async version(): Promise<Record<string, unknown>> {
    return this.#object({ method: 'GET', path: '/version' });
  }

  /** `/healthz` body; rejects unless 2xx. */
  async healthz(): Promise<string> {
    return (await exchange(this.#http, { method: 'GET', path: '/healthz' })).text;
  }

  /** `/readyz` body; rejects unless 2xx (not ready is 503). */
  async readyz(): Promise<string> {
    return (await exchange(this.#http, { method: 'GET', path: '/readyz' })).text;
  }

  /** Prometheus text exposition. */
  async metrics(): Promise<string> {
    return (await exchange(this.#http, { method: 'GET', path: '/metrics' })).text;
  }

  // ---------------------------------------------------------------------------

  async #list<T>(path: string, labelSelector: string | undefined, fieldSelector?: string): Promise<KubeList<T>> {
    const answer = await exchange(this.#http, { method: 'GET', path, query: { labelSelector, fieldSelector } });
    const list = parse(LenientKubeListSchema, answer, `GET ${path}`);
    return { ...list, apiVersion: list.apiVersion ?? 'v1', kind: list.kind ?? 'List', metadata: list.metadata ?? {}, items: list.items as T[] };
  }

  async #object<T>(spec: RequestSpec): Promise<T> {
    const answer = await exchange(this.#http, spec);
    return parse(ObjectSchema, answer, `${spec.method} ${spec.path}`) as T;
  }

  async #write<T>(spec: RequestSpec): Promise<WriteResult<T>> {
    const answer = await exchange(this.#http, spec);
    return { object: parse(ObjectSchema, answer, `${spec.method} ${spec.path}`) as T, created: answer.status === 201 };
  }

  async #submit(body: unknown, contentType: string): Promise<SubmitResult> {
    const answer = await exchange(this.#http, { method: 'POST', path: '/events', body, contentType, acceptStatus: [400] });
    // A 400 that is not a submit result (e.g. a body that is not JSON) is an ordinary error.
    if (answer.status === 400 && !SubmitResultSchema.safeParse(answer.json).success) {
      const status = StatusSchema.safeParse(answer.json);
      throw new ApiError(400, status.success ? status.data : undefined, answer.text);
    }
    return parse(SubmitResultSchema, answer, 'POST /events');
  }
}

function parse<S extends z.ZodType>(schema: S, answer: HttpAnswer, what: string): z.infer<S> {
  const result = schema.safeParse(answer.json);
  if (result.success) return result.data;
  throw new UnexpectedAnswerError(what, answer.json === undefined ? `not JSON: ${answer.text.slice(0, 120)}` : z.prettifyError(result.error));
}

function namedIn(obj: { metadata: { namespace?: string; name?: string } }): { namespace: string; name: string } {
  return { namespace: obj.metadata.namespace ?? 'default', name: obj.metadata.name ?? '' };
}
