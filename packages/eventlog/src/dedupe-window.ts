/**
 * Bounded idempotency memory. `{p}:seen` holds the `(source, id)` of every
 * accepted event, so a second delivery changes nothing. Kept for ever, it
 * grows with the event rate; brokers bound theirs by a duplicate-detection
 * window (NATS JetStream's `duplicate_window`, Kafka's producer-id
 * expiration), and so does everynode: a key is forgotten only when both
 *
 * - the log entry it guards has been trimmed (retention, `trimLog`): while
 *   the entry is in the log the key stays, so the log never holds one
 *   `(source, id)` twice; and
 * - the event was accepted longer ago than the window (default 7 days).
 *
 * Past both, a late copy may be logged again; being older than everything
 * the projection holds of its object, it is ignored as stale and changes
 * nothing. A trimmed entry still inside the window waits in
 * `{p}:seen-expiry` (a sorted set: dedupe field scored by its acceptance
 * time) until the window passes.
 *
 * Memory: a `seen` field costs about 90 bytes (`npm run bench`, figure 10),
 * so a window of 7 days at a sustained R events/s holds ~90 × R × 604,800
 * bytes — 54 MB per event/s — plus the log the retention keeps.
 */
import type { EventStore } from './store.ts';
import { dedupeField } from './store.ts';

/** The dedupe window's default: 7 days. */
export const defaultDedupeWindowMs = 7 * 24 * 3600 * 1000;

const expiryKey = (store: EventStore) => `${store.keys.tag}:seen-expiry`;
const chunk = 1000;

/** What a trim of `from`…`to` does to the dedupe keys: forget `old` now, queue `recent` (score, field pairs) for later. */
export interface SeenRetirement {
  readonly old: string[];
  readonly recent: (string | number)[];
}

/**
 * Read the event entries a trim is about to delete (`from`…`to`): each
 * one's key is to be forgotten now if it is older than the window, else
 * queued in `seen-expiry`. `retire` adds both to the trim's own MULTI, so
 * no key is forgotten while its entry is still in the log.
 */
export async function seenToRetire(store: EventStore, from: number, to: number, now: number, windowMs: number): Promise<SeenRetirement> {
  const old: string[] = [];
  const recent: (string | number)[] = [];
  for (let start = from; start <= to; start += chunk) {
    for (const entry of await store.readLog({ after: start - 1, limit: Math.min(chunk, to - start + 1) })) {
      if (entry.kind !== 'event' || entry.seq > to) continue;
      const at = Date.parse(entry.at);
      if (now - at > windowMs) old.push(dedupeField(entry.event));
      else recent.push(at, dedupeField(entry.event));
    }
  }
  return { old, recent };
}

/** Add `retirement` to `multi` (the trim's). */
export function retire(store: EventStore, multi: ReturnType<EventStore['redis']['multi']>, { old, recent }: SeenRetirement): void {
  for (let i = 0; i < old.length; i += chunk) multi.hdel(store.keys.seen, ...old.slice(i, i + chunk));
  for (let i = 0; i < recent.length; i += 2 * chunk) multi.zadd(expiryKey(store), ...recent.slice(i, i + 2 * chunk));
}

/** Forget the keys in `seen-expiry` whose window has passed. Returns how many. */
export async function forgetExpiredSeen(store: EventStore, now: number, windowMs: number): Promise<number> {
  let forgotten = 0;
  for (;;) {
    const fields = await store.redis.zrangebyscore(expiryKey(store), '-inf', String(now - windowMs), 'LIMIT', 0, chunk);
    if (fields.length === 0) return forgotten;
    await store.redis.multi().hdel(store.keys.seen, ...fields).zrem(expiryKey(store), ...fields).exec();
    forgotten += fields.length;
    if (fields.length < chunk) return forgotten;
  }
}
