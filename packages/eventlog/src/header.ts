/**
 * A log entry's header: what can be known of an entry without parsing it —
 * enough to fold a node event (`replay.ts`). One line of the log index holds
 * it (`log-index.ts`):
 *
 *     <at ms> <type> <event time ms> <object>[ <extra>…]
 *
 * - `at`: when the entry was written (`entry.at`), ms since the epoch.
 * - `type`: the event's CloudEvent type, or `pass`.
 * - event time: `Date.parse(event.time)`, the version `evolve` gives the
 *   object (`NaN` when unreadable); `-` for a pass.
 * - `object`: `eventObject(event)` (`node/NAME`, `pod/NS/NAME`,
 *   `daemonset.apps/NS/NAME`), or `daemonset.apps/NS/NAME` for a pass.
 * - extras, what the fold of the entry reads besides its body's last word:
 *   a node upsert's own `metadata.creationTimestamp`, when it gives one (the
 *   one thing of its body a later upsert keeps); a pod status report's
 *   `metadata.uid` (`-`: none) and whether it gives labels (`labels` / `-`).
 *
 * The header is derived from the entry, never the other way round. An entry
 * whose header could not be read back (whitespace in a name or timestamp)
 * gets none and is read by parsing it.
 */
import { EventType, eventObject } from '@everynode/api';
import type { UnsequencedEntry } from './entries.ts';

/** The header of `entry`, or '' when it cannot have one. */
export function entryHeader(entry: UnsequencedEntry): string {
  const at = Date.parse(entry.at);
  if (entry.kind === 'pass') return safe(`${at} pass - daemonset.apps/${entry.daemonSet}`, 4);
  const { event } = entry;
  const head = `${at} ${event.type} ${Date.parse(event.time)} ${eventObject(event)}`;
  switch (event.type) {
    case EventType.NodeJoined:
    case EventType.NodeUpdated: {
      const creation: unknown = event.data.metadata.creationTimestamp;
      if (creation === undefined) return safe(head, 4);
      return typeof creation === 'string' ? safe(`${head} ${creation}`, 5) : '';
    }
    case EventType.PodStatus: {
      const { metadata, spec } = event.data;
      const uid: unknown = metadata.uid;
      // Replay folds a report from its header only if it names its node (the schema's rule; an old entry may not).
      if (typeof spec.nodeName !== 'string' || spec.nodeName === '' || (uid !== undefined && (typeof uid !== 'string' || uid === '-'))) return '';
      return safe(`${head} ${uid ?? '-'} ${metadata.labels ? 'labels' : '-'}`, 6);
    }
    default:
      return safe(head, 4);
  }
}

/** `header` if it splits into exactly `fields` words, else ''. */
function safe(header: string, fields: number): string {
  const words = header.split(' ');
  return words.length === fields && !/[\s]/.test(words.join('')) ? header : '';
}

/** A header read back. */
export interface EntryHeader {
  readonly at: number;
  readonly type: string;
  /** The event's time in ms (NaN for a pass). */
  readonly time: number;
  readonly object: string;
  /** The type's extras, in order. */
  readonly extras: readonly string[];
}

/** Read a header written by `entryHeader`. */
export function parseHeader(header: string): EntryHeader {
  const [at, type, time, object, ...extras] = header.split(' ');
  if (at === undefined || type === undefined || time === undefined || object === undefined) {
    throw new Error(`not a log entry header: ${JSON.stringify(header)}`);
  }
  return { at: Number(at), type, time: Number(time), object, extras };
}
