/**
 * A log entry's header: what can be known of an entry without parsing it —
 * enough to fold a node event (`replay.ts`). One line of the log index holds
 * it (`log-index.ts`):
 *
 *     <at ms> <type> <event time ms> <object>[ <creationTimestamp>]
 *
 * - `at`: when the entry was written (`entry.at`), ms since the epoch.
 * - `type`: the event's CloudEvent type, or `pass`.
 * - event time: `Date.parse(event.time)`, the version `evolve` gives the
 *   object (`NaN` when unreadable); `-` for a pass.
 * - `object`: `eventObject(event)` (`node/NAME`, `pod/NS/NAME`,
 *   `daemonset.apps/NS/NAME`), or `daemonset.apps/NS/NAME` for a pass.
 * - `creationTimestamp`: a node upsert's `metadata.creationTimestamp`, when
 *   it gives one — the one thing of its body a later upsert keeps.
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
  const creation = event.type === EventType.NodeJoined || event.type === EventType.NodeUpdated ? event.data.metadata.creationTimestamp : undefined;
  if (creation === undefined) return safe(head, 4);
  return typeof creation === 'string' ? safe(`${head} ${creation}`, 5) : '';
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
  /** A node upsert's own `metadata.creationTimestamp`. */
  readonly creation?: string;
}

/** Read a header written by `entryHeader`. */
export function parseHeader(header: string): EntryHeader {
  const [at, type, time, object, creation] = header.split(' ');
  if (at === undefined || type === undefined || time === undefined || object === undefined) {
    throw new Error(`not a log entry header: ${JSON.stringify(header)}`);
  }
  return { at: Number(at), type, time: Number(time), object, ...(creation === undefined ? {} : { creation }) };
}
