/**
 * Log entry schema versions, and how an entry written in an older one is
 * read as today's shape. The log is never rewritten: every entry keeps the
 * version it was written in (field `v`), and every reader goes through
 * `upcastEntry`, so replay, `explain` and export see one shape whatever the
 * age of the history.
 *
 * ## The versions
 *
 * **v1** — the first engines. Entries carried no `v` (so an entry without
 * `v` is v1):
 * - event: `{ kind: 'event', acceptedAt, event }` — the accepted CloudEvent
 *   with its `data`, and when it was accepted; whether it changed anything
 *   was not recorded.
 * - pass: `{ kind: 'pass', time, daemonSet, decisions }` — the pass's `now`
 *   was named `time`, and the events that caused it were not recorded.
 *
 * **v2** — current (`LogSchemaVersion`):
 * - event: `{ v: 2, kind: 'event', at, event, applied, ignored? }` —
 *   `acceptedAt` renamed `at`; `evolve`'s outcome is recorded.
 * - pass: `{ v: 2, kind: 'pass', at, daemonSet, decisions, causes }` —
 *   `time` renamed `at`; `causes` lists the seqs of the events it answered.
 *
 * ## v1 → v2
 * - `acceptedAt` / `time` become `at`.
 * - An event gets `applied: true`: v1 did not record the outcome, and
 *   reading it as a change is what an audit must assume. Replay never reads
 *   `applied` (it runs `evolve` again), so the state a v1 history implies is
 *   exact.
 * - A pass gets `causes: []`: which events caused it is unknown.
 *
 * Entries written by v2 engines before `v` was stored (same shape, no `v`)
 * also read correctly: the v1 step keeps `at`, `applied` and `causes` when
 * they are there.
 *
 * To add v3: describe it here, write `fromV2`, chain it in `upcastEntry`,
 * and bump `LogSchemaVersion`.
 */
import type { EventEntry, LogEntry, PassEntry } from './entries.ts';

/** The schema version every entry is written in today. */
export const LogSchemaVersion = 2;

/** Schema versions this engine can read. */
export const ReadableVersions: readonly number[] = [1, 2];

/** A log entry (or an imported line) that no version describes. Permanent: retrying reads it again. */
export class LogFormatError extends Error {
  override readonly name = 'LogFormatError';
}

type Raw = Record<string, unknown>;

/**
 * `raw` (a parsed stored entry with its `seq` set) as the current shape. A
 * current entry is returned as is — replay reads millions of them and must
 * not copy; an older one is rebuilt. Throws `LogFormatError` for an unknown
 * version or kind, or a missing field.
 */
export function upcastEntry(raw: Raw): LogEntry {
  if (raw.v === LogSchemaVersion) return raw as unknown as LogEntry;
  const version = raw.v ?? 1;
  if (version === 1) return fromV1(raw);
  throw new LogFormatError(`log entry ${String(raw.seq)}: unknown schema version ${JSON.stringify(version)} (this engine reads ${ReadableVersions.join(', ')})`);
}

/** Check that `entry` (already upcast) has what replay needs; throws `LogFormatError` naming the field. */
export function assertEntryShape(entry: LogEntry): void {
  const where = `log entry ${String(entry.seq)}`;
  const missing = (field: string) => new LogFormatError(`${where}: ${field} is missing or not valid`);
  if (!Number.isSafeInteger(entry.seq) || entry.seq <= 0) throw missing('seq');
  if (typeof entry.at !== 'string' || Number.isNaN(Date.parse(entry.at))) throw missing('at');
  if (entry.kind === 'event') {
    const event = entry.event as unknown as Raw | undefined;
    if (!event || typeof event !== 'object') throw missing('event');
    for (const field of ['id', 'source', 'type'] as const) if (typeof event[field] !== 'string') throw missing(`event.${field}`);
    if (!event.data || typeof event.data !== 'object') throw missing('event.data');
    return;
  }
  if (entry.kind === 'pass') {
    if (typeof entry.daemonSet !== 'string') throw missing('daemonSet');
    if (!Array.isArray(entry.decisions)) throw missing('decisions');
    if (!Array.isArray(entry.causes)) throw missing('causes');
    return;
  }
  throw new LogFormatError(`${where}: kind ${JSON.stringify((entry as { kind?: unknown }).kind)} is neither "event" nor "pass"`);
}

function fromV1(raw: Raw): LogEntry {
  if (raw.kind === 'event') {
    const { acceptedAt, v: _v, ...rest } = raw;
    const entry = { ...rest, v: LogSchemaVersion, at: rest.at ?? acceptedAt, applied: rest.applied ?? true };
    return entry as unknown as EventEntry;
  }
  if (raw.kind === 'pass') {
    const { time, v: _v, ...rest } = raw;
    const entry = { ...rest, v: LogSchemaVersion, at: rest.at ?? time, causes: rest.causes ?? [] };
    return entry as unknown as PassEntry;
  }
  throw new LogFormatError(`log entry ${String(raw.seq)}: kind ${JSON.stringify(raw.kind)} is neither "event" nor "pass"`);
}
