/**
 * How the resource paths answer reads, as the API server does: a list is
 * filtered by `labelSelector` and `fieldSelector`, paged by `limit` and
 * `continue`, and sent as a `<Kind>List` — or, when the Accept header asks
 * for `as=Table` (kubectl's `get` does), as a `meta.k8s.io` Table with
 * kubectl's own columns (`@everynode/api` `printers.ts`), each row carrying
 * the object's metadata (kubectl's NAMESPACE column and `--show-labels`
 * read it). A single object can be asked for as a Table too.
 *
 * Items are in key order (`namespace/name`), as etcd gives them; a
 * continue token names the key the next page starts after. everynode keeps
 * no past projection to page through, so a later page reads the present.
 */
import type { ResourcePrinter, TableCell, TableColumnDefinition } from '@everynode/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import { listOf, type ListMeta, typed } from './objects.ts';
import { NonNegativeInteger, parsedWith, parseRequest, QueryBoolean } from './request.ts';
import { filterList, type Listed, type SelectableFields } from './selectors.ts';

/** A resource as its read paths serve it. */
export interface Served<T extends Listed> {
  readonly apiVersion: string;
  readonly kind: string;
  /** The fields a `fieldSelector` may name. */
  readonly fields: SelectableFields<T>;
  /** Its columns in a Table. */
  readonly printer: ResourcePrinter<T>;
}

/** The position a continue token holds. */
interface ContinueToken {
  /** The list's resourceVersion when the first page was read. */
  readonly rv: number;
  /** The key of the last item sent: the next page starts after it. */
  readonly start: string;
}

/** The token of a page ending at `start` (apiserver's shape: base64 of `{"v":"meta.k8s.io/v1","rv":…,"start":…}`). */
function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start })).toString('base64url');
}

/** A token back to its position, or an Error saying why it is not one. */
function decodeContinue(text: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new Error('continue key is not valid: not a token this server gave');
  }
  const { v, rv, start } = (parsed ?? {}) as { v?: unknown; rv?: unknown; start?: unknown };
  if (v !== 'meta.k8s.io/v1') throw new Error('continue key is not valid: server does not recognize this encoded key');
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv < 0) throw new Error('continue key is not valid: incorrect encoded start resourceVersion');
  if (typeof start !== 'string' || start === '') throw new Error('continue key is not valid: no start key');
  return { rv, start };
}

const IncludeObject = z.enum(['None', 'Metadata', 'Object'], { error: 'must be None, Metadata or Object' });

/**
 * The query a list understands: kubectl's selectors and paging, what a
 * Table row carries, and `watch` (a watch's own parameters are read by
 * `watch.ts`). Loose: kubectl sends parameters a list ignores
 * (`resourceVersion`, `fieldManager`, …), and refusing them would break it.
 */
export const ListQuery = z.looseObject({
  labelSelector: z.string().optional(),
  fieldSelector: z.string().optional(),
  /** Stream the changes instead of answering a list (`watch.ts`). */
  watch: QueryBoolean.optional(),
  /** At most this many items; 0 (or none): all. */
  limit: NonNegativeInteger.optional(),
  continue: parsedWith(decodeContinue).optional(),
  includeObject: IncludeObject.optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

/** The query a single object's read understands. */
export const GetQuery = z.looseObject({ includeObject: IncludeObject.optional() });

/** The Table version the Accept header asks for (`v1` or `v1beta1`), if it asks for a Table first. */
export function tableVersionAsked(accept: string | undefined): string | undefined {
  for (const clause of (accept ?? '').split(',')) {
    const [type, ...parameters] = clause.split(';').map((part) => part.trim());
    const params = new Map(parameters.map((p) => p.split('=').map((s) => s.trim()) as [string, string]));
    if (params.get('as') !== 'Table') {
      // The first acceptable answer that is not a Table: the client prefers the object itself.
      if (type === 'application/json' || type === '*/*' || type === 'application/*') return undefined;
      continue;
    }
    const version = params.get('v');
    if (params.get('g') === 'meta.k8s.io' && (version === 'v1' || version === 'v1beta1') && (type === 'application/json' || type === '*/*')) return version;
  }
  return undefined;
}

/** `namespace/name` (`name` for cluster-scoped objects): the order of a list and the position of a page. */
export function keyOf(item: Listed): string {
  return item.metadata.namespace === undefined ? (item.metadata.name ?? '') : `${item.metadata.namespace}/${item.metadata.name ?? ''}`;
}

/** A Table of `objects`, as the API server's `TableConvertor` answers. */
export function tableOf<T extends Listed>(
  served: Served<T>,
  version: string,
  objects: readonly T[],
  metadata: ListMeta,
  includeObject: ListQuery['includeObject'],
): Record<string, unknown> {
  const apiVersion = `meta.k8s.io/${version}`;
  const now = new Date();
  const columnDefinitions: readonly TableColumnDefinition[] = served.printer.columns;
  const rows = objects.map((object) => {
    const cells: TableCell[] = served.printer.cells(object, now);
    if (includeObject === 'None') return { cells };
    const embedded = includeObject === 'Object' ? typed(served.apiVersion, served.kind, object) : { kind: 'PartialObjectMetadata', apiVersion, metadata: object.metadata };
    return { cells, object: embedded };
  });
  return { kind: 'Table', apiVersion, metadata, columnDefinitions, rows };
}

/** Send `body` as a Table of `version` (its content type says so, as upstream's does). */
function sendTable(reply: FastifyReply, version: string, body: Record<string, unknown>): FastifyReply {
  return reply.type(`application/json;as=Table;v=${version};g=meta.k8s.io`).send(JSON.stringify(body));
}

/**
 * Answer a list read of `items` (already in `query`'s namespace) at
 * `resourceVersion`: selected, paged, and sent as a list or a Table.
 */
export function answerList<T extends Listed>(
  request: FastifyRequest,
  reply: FastifyReply,
  served: Served<T>,
  items: readonly T[],
  resourceVersion: number,
  query: ListQuery,
): FastifyReply {
  const selected = filterList(items, query, served.fields).sort((a, b) => compare(keyOf(a), keyOf(b)));
  const after = query.continue?.start;
  const from = after === undefined ? 0 : selected.findIndex((item) => compare(keyOf(item), after) > 0);
  const rest = from < 0 ? [] : selected.slice(from);
  const limit = query.limit ?? 0;
  const page = limit > 0 ? rest.slice(0, limit) : rest;
  const remaining = rest.length - page.length;
  // A later page is read from the present: its resourceVersion is the present's.
  const rv = String(resourceVersion);
  const metadata: ListMeta =
    remaining > 0
      ? { resourceVersion: rv, continue: encodeContinue({ rv: resourceVersion, start: keyOf(page[page.length - 1] as T) }), remainingItemCount: remaining }
      : { resourceVersion: rv };
  const table = tableVersionAsked(request.headers.accept);
  if (table !== undefined) return sendTable(reply, table, tableOf(served, table, page, metadata, query.includeObject));
  return reply.send(listOf(served.apiVersion, served.kind, page, metadata));
}

/** Answer a read of one object: the object, or a one-row Table when the Accept header asks for one. */
export function answerObject<T extends Listed & { metadata: { resourceVersion?: string | undefined } }>(
  request: FastifyRequest,
  reply: FastifyReply,
  served: Served<T>,
  object: T,
): FastifyReply {
  const table = tableVersionAsked(request.headers.accept);
  if (table === undefined) return reply.send(typed(served.apiVersion, served.kind, object));
  const { includeObject } = parseRequest(GetQuery, request.query, 'query parameter');
  return sendTable(reply, table, tableOf(served, table, [object], { resourceVersion: object.metadata.resourceVersion ?? '' }, includeObject));
}

/** Code-unit order, as etcd orders keys. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
