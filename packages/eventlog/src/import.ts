/**
 * Import: an export's lines appended to an empty prefix with their original
 * seqs, then the projection rebuilt by replaying them — the same log gives
 * the same engine. Entries are stored exactly as read (an old version stays
 * old; reading upcasts it). Passes' commands are not published again: they
 * were executed where the history was recorded, so nothing goes to the
 * outbox.
 */
import type { ClusterEvent } from '@everynode/api';
import type { ClusterState } from '@everynode/daemonset';
import { entryHeader } from './header.ts';
import { indexBlockOf, indexLine } from './log-index.ts';
import { replay } from './replay.ts';
import { saveSnapshot, setHorizon } from './snapshot.ts';
import { stateOf } from './snapshot-codec.ts';
import { execOrThrow, restoreProjection } from './restore.ts';
import { dedupeField, type EventStore } from './store.ts';
import { assertEntryShape, LogFormatError, upcastEntry } from './upcast.ts';

/** The prefix already has a log: importing would mix two histories. */
export class ImportRefused extends Error {
  override readonly name = 'ImportRefused';
}

export interface ImportOptions {
  /** Entries per Redis round trip. Default 1000. */
  readonly batch?: number;
  /** Called after each batch with the entries written so far and the last seq. */
  readonly onProgress?: (progress: { entries: number; seq: number }) => void;
}

export interface ImportResult {
  readonly entries: number;
  /** The last seq imported (0 for an empty input). */
  readonly lastSeq: number;
  /** What the replayed projection holds. */
  readonly nodes: number;
  readonly pods: number;
  readonly daemonSets: number;
}

/**
 * Append the JSON lines of `source` (text in chunks of any size: a file or
 * request stream, or an array of strings) to `store`'s log, which must be
 * empty, then rebuild the projection (`restoreProjection`) from a replay.
 * Throws `ImportRefused` when the log is not empty and `LogFormatError`
 * (naming the line) for a line that is not a readable entry or whose seq
 * does not increase. A failure part-way leaves the entries before it
 * written and no projection: delete the prefix and import again.
 */
export async function importLog(
  store: EventStore,
  source: AsyncIterable<string | Uint8Array> | Iterable<string>,
  { batch = 1000, onProgress }: ImportOptions = {},
): Promise<ImportResult> {
  await assertEmpty(store);
  let entries = 0;
  let lastSeq = 0;
  let pending: Line[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const multi = store.redis.multi();
    for (const { seq, body, header, dedupe } of pending) {
      // An explicit id below the stream's top is refused by Redis: a concurrent writer makes the import fail, not interleave.
      multi.xadd(store.keys.log, `${seq}-0`, 'e', body);
      multi.append(store.keys.indexBlock(indexBlockOf(seq)), indexLine(seq, header));
      if (dedupe !== undefined) multi.hset(store.keys.seen, dedupe, seq);
    }
    multi.set(store.keys.seq, lastSeq);
    await execOrThrow(multi);
    entries += pending.length;
    pending = [];
    onProgress?.({ entries, seq: lastSeq });
  };
  let lineNumber = 0;
  for await (const line of linesOf(source)) {
    lineNumber++;
    if (line.trim() === '') continue;
    if (entries === 0 && pending.length === 0 && line.startsWith('{"kind":"snapshot"')) {
      // A trimmed log's export: the snapshot at its horizon stands for everything before it.
      lastSeq = await importSnapshot(store, line, lineNumber);
      continue;
    }
    const parsed = parseLine(line, lineNumber, lastSeq);
    lastSeq = parsed.seq;
    pending.push(parsed);
    if (pending.length >= batch) await flush();
  }
  await flush();
  const { state, seq } = await replay(store);
  const restored = await restoreProjection(store, state, seq);
  return { entries, lastSeq, ...restored };
}

/** Store an export's leading snapshot line as the snapshot at the horizon; returns its seq. */
async function importSnapshot(store: EventStore, line: string, lineNumber: number): Promise<number> {
  let parsed: { seq?: unknown; at?: unknown; state?: unknown };
  try {
    parsed = JSON.parse(line) as typeof parsed;
  } catch (error) {
    throw new LogFormatError(`line ${lineNumber}: not JSON: ${(error as Error).message}`);
  }
  const { seq, at, state } = parsed;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq <= 0 || typeof at !== 'string' || typeof state !== 'object' || state === null) {
    throw new LogFormatError(`line ${lineNumber}: a snapshot needs a positive integer seq, a time "at" and a "state"`);
  }
  let restored: ClusterState;
  try {
    restored = stateOf(state);
  } catch (error) {
    throw new LogFormatError(`line ${lineNumber}: ${(error as Error).message}`);
  }
  await saveSnapshot(store, { seq, at }, restored);
  await setHorizon(store, seq);
  return seq;
}

async function assertEmpty(store: EventStore): Promise<void> {
  const [length, lastSeq] = await Promise.all([store.redis.xlen(store.keys.log), store.lastSeq()]);
  if (length > 0 || lastSeq > 0) {
    throw new ImportRefused(
      `the log under prefix "${store.keys.prefix}" is not empty (${length} entries, last seq ${lastSeq}): import only into an empty prefix`,
    );
  }
}

/** One export line checked: its seq, the entry as stored (without `seq`), its header and its idempotency field. */
interface Line {
  readonly seq: number;
  readonly body: string;
  readonly header: string;
  readonly dedupe?: string;
}

function parseLine(line: string, lineNumber: number, previousSeq: number): Line {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch (error) {
    throw new LogFormatError(`line ${lineNumber}: not JSON: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new LogFormatError(`line ${lineNumber}: not a JSON object`);
  const { seq, ...stored } = parsed;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq <= previousSeq) {
    throw new LogFormatError(`line ${lineNumber}: seq ${JSON.stringify(seq)} must be an integer greater than the previous line's (${previousSeq})`);
  }
  try {
    // Upcast a copy: the entry is stored as read, in its own version.
    const entry = upcastEntry({ ...stored, seq });
    assertEntryShape(entry);
    const dedupe = entry.kind === 'event' ? dedupeField(entry.event as ClusterEvent) : undefined;
    return { seq, body: JSON.stringify(stored), header: entryHeader(entry), ...(dedupe === undefined ? {} : { dedupe }) };
  } catch (error) {
    if (error instanceof LogFormatError) throw new LogFormatError(`line ${lineNumber}: ${error.message}`);
    throw error;
  }
}

/** The lines of a text arriving in chunks (a line may span chunks); a last line without `\n` counts. */
export async function* linesOf(source: AsyncIterable<string | Uint8Array> | Iterable<string>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of source) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    // Scan with an index, cut once: a whole file in one chunk must not be copied per line.
    let start = 0;
    for (let newline = rest.indexOf('\n'); newline !== -1; newline = rest.indexOf('\n', start)) {
      yield rest.slice(start, newline).replace(/\r$/, '');
      start = newline + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest !== '') yield rest.replace(/\r$/, '');
}
