/**
 * The log's filter language: which entries a filtered read returns, said in
 * terms of what every entry is (its type, the object it is about, when it
 * was accepted, its seq), not of how the log index stores that. The store
 * compiles a selector into a test of index lines, so entries it rules out
 * are never read.
 */
import { eventObject } from '@everynode/api';
import type { LogEntry } from './entries.ts';
import type { IndexLine } from './log-index.ts';

/** The type a reconcile pass has in a selector (events have their CloudEvent type). */
export const PassType = 'pass';

/** One clause: an entry matches when it has every property given. */
export interface LogClause {
  /** Any of these: CloudEvent types, or `pass`. */
  readonly types?: readonly string[];
  /** The object it is about: `node/NAME`, `pod/NS/NAME` or `daemonset.apps/NS/NAME`; a pass is about its DaemonSet. */
  readonly object?: string;
  /** Accepted at or after this moment (ms since the epoch). */
  readonly since?: number;
  /** One of these seqs. */
  readonly seqs?: ReadonlySet<number>;
}

/** A clause, or several: an entry matches a list when it matches any one of them. */
export type LogSelector = LogClause | readonly LogClause[];

/** What a selector sees of an entry: its index line's fields. */
type Described = Pick<IndexLine, 'seq' | 'at' | 'type' | 'object'>;

function clauseMatches(clause: LogClause, line: Described): boolean {
  if (clause.types !== undefined && !clause.types.includes(line.type)) return false;
  if (clause.object !== undefined && line.object !== clause.object) return false;
  if (clause.since !== undefined && !(line.at >= clause.since)) return false;
  if (clause.seqs !== undefined && !clause.seqs.has(line.seq)) return false;
  return true;
}

/** `selector` as a test of an index line (or of an entry's description). */
export function selectorTest(selector: LogSelector): (line: Described) => boolean {
  const clauses: readonly LogClause[] = isClauseList(selector) ? selector : [selector];
  return (line) => clauses.some((clause) => clauseMatches(clause, line));
}

function isClauseList(selector: LogSelector): selector is readonly LogClause[] {
  return Array.isArray(selector);
}

/** An entry described as its index line would describe it (for entries read without one). */
export function describeEntry(entry: LogEntry): Described {
  const at = Date.parse(entry.at);
  if (entry.kind === 'pass') return { seq: entry.seq, at, type: PassType, object: `daemonset.apps/${entry.daemonSet}` };
  return { seq: entry.seq, at, type: entry.event.type, object: eventObject(entry.event) };
}
