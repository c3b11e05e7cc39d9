/**
 * What a watch sends, decided from two readings of a collection: the
 * objects the client has been sent, and the objects in scope now. Pure: a
 * watch's stream is this function applied to successive reads.
 *
 * As the API server's watch cache does (`cacheWatcher.convertToWatchEvent`):
 * an object the client has not seen and the selectors select is ADDED; one
 * it has seen is MODIFIED when it changed; one that is gone — or that the
 * selectors no longer select — is DELETED, carrying the last state the
 * client was sent with the resourceVersion of the change. Several commits
 * between two reads are coalesced into one event per object, and the
 * events come in increasing resourceVersion order, so a client that
 * resumes from the last one it received misses nothing before it.
 */
import { compare, keyOf } from './lists.ts';
import type { Listed } from './selectors.ts';

/** An object as a watch carries it: it has a resourceVersion. */
export type Versioned = Listed & { readonly metadata: { readonly resourceVersion?: string | undefined } };

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One event of a watch: its type, the object, and the object's resourceVersion as a number. */
export interface Change<T> {
  readonly type: ChangeType;
  readonly object: T;
  readonly rv: number;
}

/** How to compare two readings. */
export interface Comparison<T> {
  /** Whether the client's selectors select `object`. */
  readonly selects: (object: T) => boolean;
  /** Whether `next` is a change of `previous` (the same key). */
  readonly differs: (previous: T, next: T) => boolean;
  /** The seq that removed the object under `key`, when the read knows it. */
  readonly removedAt: (key: string) => number | undefined;
  /** The log's last seq when `present` was read: a removal's seq when it is not known. */
  readonly lastSeq: number;
}

/** An object's resourceVersion as a number (0 when it has none). */
export function rvOf(object: Versioned): number {
  const rv = Number(object.metadata.resourceVersion ?? '');
  return Number.isSafeInteger(rv) && rv > 0 ? rv : 0;
}

/** `object` carrying resourceVersion `rv`. */
export function withRv<T extends Versioned>(object: T, rv: number): T {
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
}

/** By default an object changed when its resourceVersion did. */
export const rvDiffers = (previous: Versioned, next: Versioned): boolean => previous.metadata.resourceVersion !== next.metadata.resourceVersion;

/**
 * The events that take a client from `sent` (keyed as `keyOf` keys) to
 * `present`, in increasing resourceVersion order (ties in key order).
 */
export function changesBetween<T extends Versioned>(sent: ReadonlyMap<string, T>, present: readonly T[], how: Comparison<T>): Change<T>[] {
  const changes: { change: Change<T>; key: string }[] = [];
  const add = (key: string, type: ChangeType, object: T, rv: number) => changes.push({ key, change: { type, object: withRv(object, rv), rv } });
  const seen = new Set<string>();
  for (const object of present) {
    const key = keyOf(object);
    seen.add(key);
    const previous = sent.get(key);
    if (!how.selects(object)) {
      if (previous !== undefined) add(key, 'DELETED', previous, rvOf(object) || how.lastSeq);
    } else if (previous === undefined) {
      add(key, 'ADDED', object, rvOf(object) || how.lastSeq);
    } else if (how.differs(previous, object)) {
      add(key, 'MODIFIED', object, rvOf(object) || how.lastSeq);
    }
  }
  for (const [key, previous] of sent) {
    if (seen.has(key)) continue;
    const removed = how.removedAt(key);
    // A removal no later than what the client holds cannot be this one (a restored projection keeps no tombstones): say now.
    const rv = removed !== undefined && removed > rvOf(previous) ? removed : how.lastSeq;
    add(key, 'DELETED', previous, rv);
  }
  return changes.sort((a, b) => a.change.rv - b.change.rv || compare(a.key, b.key)).map(({ change }) => change);
}

/** `sent` after the client received `changes`. */
export function applyChanges<T extends Versioned>(sent: ReadonlyMap<string, T>, changes: readonly Change<T>[]): Map<string, T> {
  const next = new Map(sent);
  for (const { type, object } of changes) {
    if (type === 'DELETED') next.delete(keyOf(object));
    else next.set(keyOf(object), object);
  }
  return next;
}
