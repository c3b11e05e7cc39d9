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
 * **v2**:
 * - event: `{ v: 2, kind: 'event', at, event, applied, ignored? }` —
 *   `acceptedAt` renamed `at`; `evolve`'s outcome is recorded.
 * - pass: `{ v: 2, kind: 'pass', at, daemonSet, decisions, causes }` —
 *   `time` renamed `at`; `causes` lists the seqs of the events it answered.
 *
 * **v3** — current (`LogSchemaVersion`). Events as in v2. A pass that
 * creates pods writes one of them whole, as `podBase`, and a creation whose
 * pod `daemonPodLike(podBase, node, name, uid)` rebuilds exactly as
 * `{ type: 'PodCreateRequested', commandId, node, name, uid }` (no `pod`):
 * daemon pods of one pass differ only in name, uid and node, and a pass
 * creating 10,000 pods wrote 10,000 copies of the same 1.5 KB (which every
 * replay then parsed). Reading gives every decision its `pod` again.
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
 * ## v2 → v3
 * Nothing to change: a v2 entry is a v3 entry without `podBase`.
 *
 * To add v4: describe it here, write `fromV3`, chain it in `upcastEntry`,
 * and bump `LogSchemaVersion`.
 */
import type { Pod } from '@everynode/api';
import { daemonPodLike } from '@everynode/daemonset';
import type { LogEntry } from './entries.ts';

/** The schema version every entry is written in today. */
export const LogSchemaVersion = 3;

/** Schema versions this engine can read. */
export const ReadableVersions: readonly number[] = [1, 2, 3];

/** A log entry (or an imported line) that no version describes. Permanent: retrying reads it again. */
export class LogFormatError extends Error {
  override readonly name = 'LogFormatError';
}

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null;

/**
 * `raw` (a parsed stored entry with its `seq` set) as the current shape. A
 * current entry is returned as is — replay reads millions of them and must
 * not copy — but for a pass with `podBase`, whose creations get their pods
 * back; an older one is rebuilt. Throws `LogFormatError` for an unknown
 * version or kind, or a missing field.
 */
export function upcastEntry(raw: Raw): LogEntry {
  if (raw.v === LogSchemaVersion) return raw.podBase === undefined ? storedEntry(raw) : withPods(raw);
  const version = raw.v ?? 1;
  if (version === 1) return fromV1(raw);
  if (version === 2) return storedEntry({ ...raw, v: LogSchemaVersion });
  throw new LogFormatError(`log entry ${String(raw.seq)}: unknown schema version ${JSON.stringify(version)} (this engine reads ${ReadableVersions.join(', ')})`);
}

/**
 * An entry in today's shape — as an engine stored it, or rebuilt here from
 * an older one — as the `LogEntry` its `kind` names: the one trusted
 * conversion of the log's JSON. Only `kind` is checked: replay reads
 * millions of entries and walking each would cost more than folding it; the
 * rest is what an engine wrote, and where the JSON comes from outside
 * (import) `assertEntryShape` checks it.
 */
function storedEntry(raw: Raw): LogEntry {
  if (isStoredEntry(raw)) return raw;
  throw new LogFormatError(`log entry ${String(raw.seq)}: kind ${JSON.stringify(raw.kind)} is neither "event" nor "pass"`);
}

function isStoredEntry(raw: Raw): raw is Raw & LogEntry {
  return raw.kind === 'event' || raw.kind === 'pass';
}

/** Whether a pass's `podBase` has what `daemonPodLike` builds from: its metadata and spec (the rest is as the engine wrote it). */
function isPodBase(value: unknown): value is Pod {
  return isRecord(value) && isRecord(value.metadata) && isRecord(value.spec);
}

/** Check that `entry` (already upcast) has what replay needs; throws `LogFormatError` naming the field. */
export function assertEntryShape(entry: LogEntry): void {
  const where = `log entry ${String(entry.seq)}`;
  const missing = (field: string) => new LogFormatError(`${where}: ${field} is missing or not valid`);
  if (!Number.isSafeInteger(entry.seq) || entry.seq <= 0) throw missing('seq');
  if (typeof entry.at !== 'string' || Number.isNaN(Date.parse(entry.at))) throw missing('at');
  if (entry.kind === 'event') {
    const event: unknown = entry.event;
    if (!isRecord(event)) throw missing('event');
    for (const field of ['id', 'source', 'type'] as const) if (typeof event[field] !== 'string') throw missing(`event.${field}`);
    if (!isRecord(event.data)) throw missing('event.data');
    return;
  }
  if (entry.kind === 'pass') {
    if (typeof entry.daemonSet !== 'string') throw missing('daemonSet');
    if (!Array.isArray(entry.decisions)) throw missing('decisions');
    entry.decisions.forEach((d, i) => {
      if (d.type === 'PodCreateRequested' && (!d.pod || typeof d.pod !== 'object' || !d.pod.metadata)) throw missing(`decisions[${i}].pod`);
    });
    if (!Array.isArray(entry.causes)) throw missing('causes');
    return;
  }
  throw new LogFormatError(`${where}: kind ${JSON.stringify((entry as { kind?: unknown }).kind)} is neither "event" nor "pass"`);
}

/** A v3 pass with `podBase`: every creation given its pod (see the module's comment). */
function withPods(raw: Raw): LogEntry {
  const { podBase, ...entry } = raw;
  const where = `log entry ${String(raw.seq)}`;
  if (raw.kind !== 'pass' || !isPodBase(podBase)) {
    throw new LogFormatError(`${where}: podBase is not valid${raw.kind === 'pass' ? '' : ' (only a pass has one)'}`);
  }
  if (!Array.isArray(raw.decisions)) throw new LogFormatError(`${where}: decisions is missing or not valid`);
  const decisions: readonly unknown[] = raw.decisions;
  const out: unknown[] = new Array(decisions.length);
  for (let i = 0; i < decisions.length; i++) {
    const d = decisions[i];
    out[i] = !isRecord(d) || d.type !== 'PodCreateRequested' || d.pod !== undefined ? d : creationWithPod(d, podBase, where, i);
  }
  entry.decisions = out;
  return storedEntry(entry);
}

/**
 * A compact creation `{ ...rest, name, uid }` as `{ ...rest, pod }`, its pod
 * rebuilt from the pass's base. The fields are copied in a loop rather than
 * by rest destructuring, which cost V8 a runtime call per decision (a pass
 * creating 10,000 pods has 10,000 of them, read by every replay).
 */
function creationWithPod(d: Raw, podBase: Pod, where: string, i: number): Raw {
  const { node, name, uid } = d;
  if (typeof node !== 'string') throw compactFieldError(where, i, 'node');
  if (typeof name !== 'string') throw compactFieldError(where, i, 'name');
  if (typeof uid !== 'string') throw compactFieldError(where, i, 'uid');
  const creation: Raw = {};
  for (const key in d) {
    if (key === 'name' || key === 'uid' || !Object.hasOwn(d, key)) continue;
    // An own `__proto__` (JSON.parse makes one) is copied as a field, as spreading copies it, not set as the prototype.
    if (key === '__proto__') Object.defineProperty(creation, key, { value: d[key], enumerable: true, writable: true, configurable: true });
    else creation[key] = d[key];
  }
  creation.pod = daemonPodLike(podBase, node, name, uid);
  return creation;
}

function compactFieldError(where: string, i: number, field: string): LogFormatError {
  return new LogFormatError(`${where}: decisions[${i}].${field} is missing or not a string`);
}

function fromV1(raw: Raw): LogEntry {
  if (raw.kind === 'event') {
    const { acceptedAt, v: _v, ...rest } = raw;
    return storedEntry({ ...rest, v: LogSchemaVersion, at: rest.at ?? acceptedAt, applied: rest.applied ?? true });
  }
  if (raw.kind === 'pass') {
    const { time, v: _v, ...rest } = raw;
    return storedEntry({ ...rest, v: LogSchemaVersion, at: rest.at ?? time, causes: rest.causes ?? [] });
  }
  throw new LogFormatError(`log entry ${String(raw.seq)}: kind ${JSON.stringify(raw.kind)} is neither "event" nor "pass"`);
}
