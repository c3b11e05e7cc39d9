/**
 * What the log holds (docs/contract.md §4 `GET /log`): every accepted event and every
 * pass's decisions, each with its sequence number. The log is the truth; the
 * projection is derived from it.
 */
import type { EventEntry, PassEntry } from '@everynode/api';

// The entries' shapes are the wire's (`@everynode/api` `log-entries.ts`): `GET /log` and export answer them as stored.
export type { EventEntry, LogEntry, PassEntry } from '@everynode/api';

/** The log entries that caused `pass`'s decisions about `node` (all of the pass's causes when it says no more). */
export function causesOf(pass: Pick<PassEntry, 'causes' | 'causedBy'>, node: string): number[] {
  if (pass.causedBy === undefined) return [...pass.causes];
  return [...(pass.causedBy[node] ?? []), ...(pass.causedBy['*'] ?? [])].sort((a, b) => a - b);
}

/** An entry as written, before the log gives it its seq. */
export type UnsequencedEntry = Omit<EventEntry, 'seq'> | Omit<PassEntry, 'seq'>;
