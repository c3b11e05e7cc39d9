/**
 * Pods read from the projection: their records (`pod-record.ts`) and the
 * bases the records refer to, from `{p}:pod-bases`.
 *
 * A base never changes (its id is a hash of its JSON), so bases are cached
 * in the process by id. One can be dropped, though: once no pod refers to
 * it, the sweep deletes it. A reader that read a pod and then, before it
 * read the pod's base, saw the pod change and the base dropped, reads again
 * (`readingPods`): what it read was no longer the projection.
 */
import type { Pod } from '@everynode/api';
import type { RedisClient } from './redis-client.ts';
import type { Keys } from './keys.ts';
import { parsePodRecord, rebuild } from './pod-record.ts';

/** Bases cached, at most. */
const CacheLimit = 1000;
const cache = new Map<string, string>();

function remember(id: string, json: string): void {
  if (cache.size >= CacheLimit) cache.delete(cache.keys().next().value as string);
  cache.set(id, json);
}

/** What `podsOfRecords` answers when a base was gone: read the records again. */
export const BaseGone: unique symbol = Symbol('a pod base was gone');

/**
 * The pods stored as `records` (null or undefined: no pod), each a new
 * object, their bases read from the cache or Redis; `BaseGone` when a base
 * is no longer there.
 */
export async function podsOfRecords(redis: RedisClient, keys: Keys, records: readonly (string | null | undefined)[]): Promise<(Pod | undefined)[] | typeof BaseGone> {
  const parsed = records.map((record) => (record ? parsePodRecord(record) : undefined));
  const bases = new Map<string, string | undefined>();
  for (const p of parsed) if (p !== undefined && !p.whole && !bases.has(p.baseId)) bases.set(p.baseId, cache.get(p.baseId));
  const missing = [...bases].filter(([, json]) => json === undefined).map(([id]) => id);
  if (missing.length > 0) {
    const found = await redis.hmget(keys.podBases, ...missing);
    missing.forEach((id, i) => {
      const json = found[i];
      if (typeof json !== 'string') return;
      bases.set(id, json);
      remember(id, json);
    });
  }
  const pods: (Pod | undefined)[] = [];
  for (const p of parsed) {
    if (p === undefined || p.whole) {
      pods.push(p?.whole);
      continue;
    }
    const json = bases.get(p.baseId);
    if (json === undefined) return BaseGone;
    // Parsed for each pod: no two pods read share an object, as when every pod was stored whole.
    pods.push(rebuild(p, JSON.parse(json) as Pod));
  }
  return pods;
}

/** Run `read` until it reads no record whose base had gone (it answers `BaseGone`). */
export async function readingPods<T>(read: () => Promise<T | typeof BaseGone>): Promise<T> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const result = await read();
    if (result !== BaseGone) return result;
  }
  throw new Error('pods: the bases of the pods read kept being dropped before they were read');
}

/**
 * Drop the bases no pod refers to (no count in `{p}:pod-base-refs`), at
 * once: a commit writes a base and counts its pods in one step, so none is
 * dropped that a pod written refers to. Returns how many were dropped.
 */
export async function forgetUnusedPodBases(redis: RedisClient, keys: Keys): Promise<number> {
  return Number(await redis.eval(forgetUnused, 2, keys.podBases, keys.podBaseRefs));
}

const forgetUnused = `
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then return 0 end
local dropped = 0
for _, id in ipairs(redis.call('HKEYS', KEYS[1])) do
  if redis.call('HEXISTS', KEYS[2], id) == 0 then
    redis.call('HDEL', KEYS[1], id)
    dropped = dropped + 1
  end
end
return dropped`;
