/**
 * What only the engine and tests may use: the pieces a commit is built from
 * (`CommitBuilder`, `Slice`), the key layout, the log's codecs and index.
 * Nothing here is a promise to anyone else; it changes with the storage.
 */
export * from './index.ts';
export { CommitBuilder, CommitRefused, parseOutcome, parseReply, SeqMargin, type CommitOutcome, type CommitReply } from './commit.ts';
export { Keys, AllNodes, OldTotalField } from './keys.ts';
export { dedupeField, entryOf } from './store.ts';
export { Slice, parseRecord, recordJson, podIndexSets, type SliceRequest } from './slice.ts';
export { passEntryJson, podJson, sameJson } from './json.ts';
export { entryHeader, parseHeader, type EntryHeader } from './header.ts';
export { describeEntry, selectorTest } from './log-selector.ts';
export * from './log-index.ts';
export { applyEntry, liveState } from './replay.ts';
export { latestSnapshot, loadSnapshot, saveSnapshot, setHorizon, logHorizon } from './snapshot.ts';
export * from './snapshot-codec.ts';
export { assertEntryShape } from './upcast.ts';
export { restoreProjection, execOrThrow } from './restore.ts';
export { exportLine } from './export.ts';
export { encodePod, decodePod, parsePodRecord, podRecordBase, PodRecordError, PodRecordFormat, type EncodedPod, type PodBase } from './pod-record.ts';
export { BaseGone, podsOfRecords, readingPods } from './pod-bases.ts';
