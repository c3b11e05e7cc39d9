/**
 * The storage library: the append-only log (Redis Streams), the projection
 * derived from it, the log index, snapshots, replay, export and import —
 * under one prefix, behind `EventStore`. It records what the engine decided
 * and reads it back; it decides nothing. What only the engine and tests
 * use (the commit builder, slices, codecs) is in `@everynode/eventlog/internal`.
 */
export { EventStore, CommitContention, type ObjectKinds, type VersionedObjects } from './store.ts';
export { CommitRefused } from './commit.ts';
export { isCluster, scanKeys, type RedisClient } from './redis-client.ts';
export type { EventEntry, LogEntry, PassEntry, UnsequencedEntry } from './entries.ts';
export { causesOf } from './entries.ts';
export { PassType, type LogClause, type LogSelector } from './log-selector.ts';
export { LogSchemaVersion, ReadableVersions, LogFormatError, upcastEntry } from './upcast.ts';
export { replay, verify, takeSnapshot, diffStates, type ReplayBounds } from './replay.ts';
export { trimLog, type Snapshot } from './snapshot.ts';
export { defaultDedupeWindowMs, forgetExpiredSeen } from './dedupe-window.ts';
export { exportLog, type ExportOptions } from './export.ts';
export { importLog, ImportRefused, linesOf, type ImportOptions, type ImportResult } from './import.ts';
