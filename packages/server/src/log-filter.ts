/**
 * `GET /log`'s filters (docs/contract.md §4, `everynode log --type --object
 * --since`): what an entry must be to be answered, and the forward scan that
 * finds at most `limit` such entries after a seq. The scan reads the log in
 * bounded pages and says where it stopped, so a client pages on with
 * `after = next` and never misses or repeats an entry.
 */
import { EventType, type LogPage } from '@everynode/api';
import { type History, type LogEntry, type LogSelector, PassType } from '@everynode/engine';

/** What `?object=` names: a node by name, a pod or a DaemonSet by `namespace/name`. */
export type ObjectRef = { readonly kind: 'node'; readonly name: string } | { readonly kind: 'pod' | 'ds'; readonly key: string };

export interface LogFilter {
  /** Full CloudEvent types, and/or `pass`; an entry matches any one. Default: every kind. */
  readonly types?: readonly string[];
  /** Only entries about this object. Default: any. */
  readonly object?: ObjectRef;
  /** Only entries whose `at` is at or after this moment (ms since the epoch). Default: any. */
  readonly since?: number;
}

/** The word for a reconcile pass in `?type=`. */
export { PassType };

const eventTypes: readonly string[] = Object.values(EventType);

/**
 * `?type=`: comma-separated; each is `pass`, a CloudEvent type
 * (`io.everynode.node.joined`) or its suffix after a dot (`node.joined`).
 */
export function parseTypes(text: string): string[] {
  return text.split(',').map((one) => {
    if (one === PassType || eventTypes.includes(one)) return one;
    const type = eventTypes.find((t) => t.endsWith(`.${one}`));
    if (one === '' || type === undefined) {
      throw new Error(`unknown type ${JSON.stringify(one)}: use ${PassType} or one of ${eventTypes.join(', ')} (or the part after io.everynode.)`);
    }
    return type;
  });
}

const kinds: Readonly<Record<string, ObjectRef['kind']>> = {
  node: 'node',
  nodes: 'node',
  no: 'node',
  pod: 'pod',
  pods: 'pod',
  po: 'pod',
  ds: 'ds',
  daemonset: 'ds',
  daemonsets: 'ds',
  'daemonset.apps': 'ds',
  'daemonsets.apps': 'ds',
};

/**
 * `?object=`: `node/NAME`, `pod/NS/NAME` or `ds/NS/NAME` (also `daemonset.apps/…`,
 * as `log` prints it). A pod or DaemonSet without a namespace (`ds/NAME`) is in `default`.
 */
export function parseObject(text: string): ObjectRef {
  const [kindText = '', ...rest] = text.split('/');
  const kind = kinds[kindText];
  const usage = 'must be node/NAME, pod/[NS/]NAME or ds/[NS/]NAME';
  if (kind === undefined || rest.length === 0 || rest.length > 2 || rest.some((part) => part === '')) {
    throw new Error(`${usage}, not ${JSON.stringify(text)}`);
  }
  if (kind === 'node') {
    if (rest.length !== 1) throw new Error(`${usage} (nodes have no namespace), not ${JSON.stringify(text)}`);
    return { kind, name: rest[0] as string };
  }
  return { kind, key: rest.length === 1 ? `default/${rest[0]}` : rest.join('/') };
}

interface Meta {
  readonly name?: string;
  readonly namespace?: string;
}

/** Whether an event entry is about `object`: the node, pod or DaemonSet its data names. */
function eventIsAbout(entry: Extract<LogEntry, { kind: 'event' }>, object: ObjectRef): boolean {
  const meta = ((entry.event.data as { metadata?: Meta } | undefined)?.metadata ?? {}) as Meta;
  const key = `${meta.namespace ?? 'default'}/${meta.name ?? ''}`;
  const family = entry.event.type.split('.')[2];
  switch (object.kind) {
    case 'node':
      return family === 'node' && meta.name === object.name;
    case 'pod':
      return family === 'pod' && key === object.key;
    case 'ds':
      return family === 'daemonset' && key === object.key;
    default: {
      const unknown: never = object;
      throw new Error(`unhandled object ${JSON.stringify(unknown)}`);
    }
  }
}

/** The pod (`ns/name`) a decision names, if any. */
function podOf(decision: Extract<LogEntry, { kind: 'pass' }>['decisions'][number]): string | undefined {
  if (decision.type === 'PodCreateRequested') return `${decision.pod.metadata.namespace ?? 'default'}/${decision.pod.metadata.name}`;
  return 'namespace' in decision && 'name' in decision ? `${decision.namespace}/${decision.name}` : undefined;
}

/** Whether a pass is about `object`: over that DaemonSet, or deciding about that pod or a pod on that node. */
function passIsAbout(entry: Extract<LogEntry, { kind: 'pass' }>, object: ObjectRef): boolean {
  switch (object.kind) {
    case 'ds':
      return entry.daemonSet === object.key;
    case 'pod':
      return entry.decisions.some((d) => podOf(d) === object.key);
    case 'node':
      return entry.decisions.some((d) => 'node' in d && d.node === object.name);
    default: {
      const unknown: never = object;
      throw new Error(`unhandled object ${JSON.stringify(unknown)}`);
    }
  }
}

/** Whether `entry` passes every filter given. */
export function matchesFilter(entry: LogEntry, filter: LogFilter): boolean {
  if (filter.types !== undefined && !filter.types.includes(entry.kind === 'pass' ? PassType : entry.event.type)) return false;
  if (filter.since !== undefined && Date.parse(entry.at) < filter.since) return false;
  if (filter.object === undefined) return true;
  return entry.kind === 'pass' ? passIsAbout(entry, filter.object) : eventIsAbout(entry, filter.object);
}

/** A page of matches, and the `after` to continue from (the last seq examined). */
export type FilteredPage = Omit<LogPage, 'horizon'>;

function isEmpty(filter: LogFilter): boolean {
  return filter.types === undefined && filter.object === undefined && filter.since === undefined;
}

/** The object a selector names for `object`: events name theirs, passes their DaemonSet. */
function lineObject(object: ObjectRef): string {
  return object.kind === 'node' ? `node/${object.name}` : object.kind === 'pod' ? `pod/${object.key}` : `daemonset.apps/${object.key}`;
}

/**
 * The log selector that reads every entry that may match `filter` (and as
 * few others as it can); `matchesFilter` decides the rest. A pass is about
 * its DaemonSet, but may be about any pod or node its decisions name, so
 * for a pod or a node every pass is read.
 */
export function selectorOf(filter: LogFilter): LogSelector {
  const since = filter.since === undefined ? {} : { since: filter.since };
  const types = filter.types === undefined ? {} : { types: filter.types };
  if (filter.object === undefined) return { ...types, ...since };
  const object = { object: lineObject(filter.object) };
  if (filter.object.kind === 'ds') return { ...types, ...since, ...object };
  const passes = filter.types === undefined || filter.types.includes(PassType) ? [{ types: [PassType], ...since }] : [];
  return [{ ...types, ...since, ...object }, ...passes];
}

/** Seqs examined per read of a filtered scan: only the entries that may match are fetched. */
const scanPageSize = 5_000;

/**
 * Up to `limit` entries with `seq > after` that match `filter`, scanning
 * forward until `limit` matched or the log ends. `next` is the seq of the
 * last entry examined (`after` when none was), so a client continues with
 * `after = next`.
 */
export async function readFilteredLog(reader: Pick<History, 'readLog' | 'readLogWhere'>, { after, limit, filter }: { after: number; limit: number; filter: LogFilter }): Promise<FilteredPage> {
  const items: LogEntry[] = [];
  if (limit === 0) return { items, next: after };
  if (isEmpty(filter)) {
    const page = await reader.readLog({ after, limit });
    return { items: page, next: page.at(-1)?.seq ?? after };
  }
  // Filtered, matches may be sparse: the log index rules most entries out unread.
  const where = selectorOf(filter);
  let next = after;
  for (;;) {
    const { entries, next: examined } = await reader.readLogWhere({ after: next, limit: scanPageSize, where });
    for (const entry of entries) {
      if (!matchesFilter(entry, filter)) continue;
      items.push(entry);
      if (items.length === limit) return { items, next: entry.seq };
    }
    const end = examined < next + scanPageSize;
    next = examined;
    if (end) return { items, next };
  }
}
