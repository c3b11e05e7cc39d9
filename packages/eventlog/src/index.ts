/** The append-only log (Redis Streams), the projection derived from it, and passes recorded against it. */
export * from './entries.ts';
export * from './header.ts';
export * from './log-index.ts';
export * from './keys.ts';
export * from './commit.ts';
export * from './json.ts';
export * from './slice.ts';
export * from './store.ts';
export * from './reconcile.ts';
export * from './replay.ts';
export * from './snapshot.ts';
export * from './snapshot-codec.ts';
export * from './upcast.ts';
export * from './restore.ts';
export * from './export.ts';
export * from './import.ts';
