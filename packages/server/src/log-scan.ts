/**
 * Reading the whole log (or a stretch of it) in bounded pages, for the
 * answers that are derived from history rather than from the projection:
 * Kubernetes Events and a pod's explanation. Each page is one bounded Redis
 * read, so a long log costs round trips, never one huge reply.
 */
import type { History, LogEntry, LogSelector } from '@everynode/engine';

/**
 * Entries per read. Smaller than `GET /log`'s largest page because one pass
 * entry can be large (every pod it creates, in full): this bounds the
 * memory of one page at the cost of more round trips on a long log.
 */
export const logPageSize = 1_000;

export interface ScanRange {
  /** Visit entries with `seq > after`. Default 0: from the start. */
  readonly after?: number;
  /** Stop after the entry with this seq. Default: the end of the log as it grows while scanning. */
  readonly until?: number;
  /** Visit only the entries this selects: the others are not even read. */
  readonly where?: LogSelector;
}

/** Call `visit` on each entry of `range`, in log order. */
export async function scanLog(reader: Pick<History, 'readLog' | 'readLogWhere'>, visit: (entry: LogEntry) => void, range: ScanRange = {}): Promise<void> {
  const until = range.until ?? Number.POSITIVE_INFINITY;
  let after = range.after ?? 0;
  if (range.where) {
    // A page is `logPageSize` seqs, so at most that many entries are held, as below.
    for (;;) {
      const limit = Math.min(logPageSize, until - after);
      if (limit <= 0) return;
      const { entries, next } = await reader.readLogWhere({ after, limit, where: range.where });
      for (const entry of entries) visit(entry);
      if (next < after + limit) return;
      after = next;
    }
  }
  for (;;) {
    const page = await reader.readLog({ after, limit: logPageSize });
    for (const entry of page) {
      if (entry.seq > until) return;
      visit(entry);
    }
    const last = page.at(-1);
    if (last === undefined || page.length < logPageSize) return;
    after = last.seq;
  }
}
