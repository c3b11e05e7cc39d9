/**
 * Export: the whole log as JSON lines, one entry per line, each as stored
 * (its own schema version `v`, never upcast — an archive keeps history as
 * it was written) with its `seq` first: `{"seq":1,"v":2,"kind":"event",…}`.
 * `importLog` reads this format back.
 */
import type { EventStore } from './store.ts';

export interface ExportOptions {
  /** Stop after this seq. Default: the last seq when the export starts, so a running engine's export is a consistent prefix. */
  readonly toSeq?: number;
  /** Entries per Redis read. Default 2000. */
  readonly batch?: number;
}

/** The log's entries as lines (each ending in `\n`), in seq order, read in batches. */
export async function* exportLog(store: EventStore, { toSeq, batch = 2000 }: ExportOptions = {}): AsyncGenerator<string> {
  const horizon = await store.logHorizon();
  // A trimmed log no longer holds the whole history: an import of what is left would be a different cluster.
  if (horizon > 0) throw new Error(`cannot export: the log up to seq ${horizon} was trimmed behind a snapshot`);
  const last = toSeq ?? (await store.lastSeq());
  let from = '-';
  for (;;) {
    const rows = await store.redis.xrange(store.keys.log, from, `${last}-0`, 'COUNT', batch);
    let lines = '';
    for (const [id, fields] of rows) lines += exportLine(Number(id.slice(0, id.indexOf('-'))), fields[1] as string);
    if (lines !== '') yield lines;
    if (rows.length < batch) return;
    from = `(${(rows.at(-1) as [string, string[]])[0]}`;
  }
}

/** One stored entry as an export line: `seq` first, then `v` (1 when the entry predates versions), then the rest. */
export function exportLine(seq: number, storedJson: string): string {
  const stored = JSON.parse(storedJson) as Record<string, unknown>;
  return `${JSON.stringify({ seq, v: 1, ...stored })}\n`;
}
