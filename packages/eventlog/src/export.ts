/**
 * Export: the whole log as JSON lines, one entry per line, each as stored
 * (its own schema version `v`, never upcast — an archive keeps history as
 * it was written) with its `seq` first: `{"seq":1,"v":3,"kind":"event",…}`.
 * `importLog` reads this format back. A log trimmed behind a snapshot
 * starts with that snapshot (`{"kind":"snapshot","seq":S,"at":…,"state":…}`):
 * the history before it is only there.
 */
import { latestSnapshot, loadSnapshot } from './snapshot.ts';
import { serializeState } from './snapshot-codec.ts';
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
  const last = toSeq ?? (await store.lastSeq());
  let from = '-';
  if (horizon > 0) {
    // What was trimmed lives on in the snapshot at the horizon: it goes first.
    const snapshot = await latestSnapshot(store, horizon);
    if (snapshot?.seq !== horizon) throw new Error(`cannot export: the snapshot at the log's horizon (seq ${horizon}) is missing`);
    const state = serializeState(await loadSnapshot(store, horizon));
    yield `{"kind":"snapshot","seq":${snapshot.seq},"at":${JSON.stringify(snapshot.at)},"state":${state}}\n`;
    from = `(${horizon}-0`;
  }
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
