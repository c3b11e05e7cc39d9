/**
 * The event store: the log, the projection derived from it and the pass
 * bookkeeping, in Redis under one prefix. It commits what the engine's
 * operations decided (`commit`, one atomic script call) and reads it back;
 * it decides nothing itself.
 */
import { readFileSync } from 'node:fs';
import type { ControllerRevision, DaemonSet, Node, Pod } from '@everynode/api';
import type { Result } from 'ioredis';
import { type CommitBuilder, type CommitOutcome, parseReply } from './commit.ts';
import type { LogEntry } from './entries.ts';
import { AllNodes, Keys, OldTotalField } from './keys.ts';
import { readIndexedJson } from './log-index.ts';
import { describeEntry, type LogSelector, selectorTest } from './log-selector.ts';
import { BaseGone, forgetUnusedPodBases, podsOfRecords, readingPods } from './pod-bases.ts';
import { parseRecord } from './slice.ts';
import { upcastEntry } from './upcast.ts';
import { type RedisClient, scanKeys } from './redis-client.ts';

const parseNode = (json: string) => JSON.parse(json) as Node;

const commitScript = readFileSync(new URL('./scripts/commit.lua', import.meta.url), 'utf8');

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** `scripts/commit.lua`, defined on the connection by `EventStore`: KEYS count, then KEYS and ARGV in one array. */
    everynodeCommit(numKeys: number, keysAndArgs: string[]): Result<unknown, Context>;
  }
}

/** The connections the commit script is defined on (once each; ioredis sends it by its SHA afterwards). */
const withCommitScript = new WeakSet<RedisClient>();

/** Thrown when a commit kept losing races; the caller retries later (transient). */
export class CommitContention extends Error {}

/** The objects `readVersioned` reads, by the name it knows them by. */
export interface ObjectKinds {
  readonly nodes: Node;
  readonly pods: Pod;
  readonly daemonSets: DaemonSet;
}

/** Objects carrying `metadata.resourceVersion`, and the log's last seq when they were read. */
export interface VersionedObjects<T> {
  readonly items: T[];
  readonly lastSeq: number;
  /**
   * The seq of the last change, as of the same read, of an object of the
   * kind and scope read — live or removed — by key (`ns/name`, a node's
   * name): for a removed object, the seq that removed it (what a watch's
   * DELETED carries). Undefined for a key never written, or not read (a
   * read of one name knows that one only).
   */
  readonly changedAt: (key: string) => number | undefined;
}

/** Where each kind is projected, and its object keys' prefix in `rv`. */
const projected = (k: Keys): Record<keyof ObjectKinds, { hash: string; rvPrefix: string }> => ({
  nodes: { hash: k.nodes, rvPrefix: 'node/' },
  pods: { hash: k.pods, rvPrefix: 'pod/' },
  daemonSets: { hash: k.daemonSets, rvPrefix: 'ds/' },
});

/** The DaemonSet of a record, unless the record is a tombstone. */
function liveDaemonSet(json: string): DaemonSet | undefined {
  const record = parseRecord(json, new Map());
  return record.deleted ? undefined : record.daemonSet;
}

/**
 * An event's idempotency key in `seen`: its source, a newline, its id. One
 * key is one `(source, id)` because an admitted source never holds a
 * newline (attributes carry no control characters: `@everynode/api`'s
 * `isAttributeText`).
 */
export const dedupeField = (event: { source: string; id: string }) => `${event.source}\n${event.id}`;

export class EventStore {
  readonly keys: Keys;
  /**
   * The last seq this store saw (its commits, `lastSeq`): where the commit
   * script is told the new entries' index blocks start. Stale by what other
   * writers committed since, which the blocks passed leave room for.
   */
  private seqSeen = 0;

  constructor(
    readonly redis: RedisClient,
    prefix: string,
  ) {
    this.keys = new Keys(prefix);
    if (!withCommitScript.has(redis)) {
      redis.defineCommand('everynodeCommit', { lua: commitScript });
      withCommitScript.add(redis);
    }
  }

  /**
   * Run a commit script call. The script is passed the index blocks the new
   * entries fall in as far as this store knows the seq; when others have
   * committed so much meanwhile that they are other blocks, it writes nothing
   * and answers `moved` with the seq, and the commit is sent again from there.
   * Throws `CommitRefused` (permanent: nothing written) for a malformed commit
   * or a key of the wrong type.
   */
  async commit(builder: CommitBuilder): Promise<CommitOutcome> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const { keys, argv } = builder.args(this.seqSeen);
      // One array argument (ioredis flattens it): spreading 100,000s of arguments would overflow the stack.
      const reply = parseReply(await this.redis.everynodeCommit(keys.length, keys.concat(argv)));
      if (reply.kind === 'moved') {
        this.seqSeen = reply.seq;
        continue;
      }
      if (reply.kind === 'ok' && reply.seqs.length > 0) this.seqSeen = Math.max(this.seqSeen, reply.seqs[reply.seqs.length - 1] as number);
      return reply;
    }
    throw new CommitContention('could not commit: the log kept moving past the index blocks passed');
  }

  /** DaemonSet keys with dirty marks waiting for a pass. */
  async dirtyDaemonSets(): Promise<string[]> {
    const records = await this.redis.hkeys(this.keys.daemonSets);
    if (records.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of records) pipeline.hlen(this.keys.dirty(key));
    const counts = (await pipeline.exec()) ?? [];
    return records.filter((_, i) => Number(counts[i]?.[1] ?? 0) > 0);
  }

  /** What the next pass over `dsKey` answers: its dirty marks, their causes, and the stored old-template total (null: never passed over in full). */
  async readPassMarks(dsKey: string): Promise<{ marks: Record<string, string>; causes: Record<string, string>; oldTotal: string | null }> {
    const k = this.keys;
    // One MULTI: the marks and their causes as of one moment, so a pass takes back exactly what it answers.
    const replies = await this.redis.multi().hgetall(k.dirty(dsKey)).hgetall(k.causes(dsKey)).hget(k.contributions(dsKey), OldTotalField).exec();
    const [marks, causes, oldTotal] = (replies ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    return { marks: stringRecord(marks), causes: stringRecord(causes), oldTotal: typeof oldTotal === 'string' ? oldTotal : null };
  }

  /** Every node's stored status contribution to `dsKey` (and the `*old` total). */
  async readContributions(dsKey: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.contributions(dsKey));
  }

  /** Of `nodes`: their stored contributions to `dsKey`, the nodes themselves, and the keys of every pod on them. */
  async readNodeScope(dsKey: string, nodes: readonly string[]): Promise<{ contributions: (string | null)[]; nodes: (Node | undefined)[]; podKeys: string[] }> {
    const k = this.keys;
    const [contributions, values, podKeys] = await Promise.all([
      this.redis.hmget(k.contributions(dsKey), ...nodes),
      this.redis.hmget(k.nodes, ...nodes),
      this.redis.sunion(...nodes.map((n) => k.nodePods(n))),
    ]);
    return { contributions, nodes: values.map((json) => (json ? parseNode(json) : undefined)), podKeys };
  }

  /** The keys of every pod `dsKey` controls, and of every pod of `namespace` no controller owns (it may adopt them). */
  async podKeysOf(dsKey: string, namespace: string): Promise<string[]> {
    const [owned, orphans] = await Promise.all([this.redis.smembers(this.keys.daemonSetPods(dsKey)), this.redis.smembers(this.keys.orphans(namespace))]);
    return [...owned, ...orphans];
  }

  /** Drop the pass bookkeeping of a DaemonSet that is gone. */
  async forgetPassState(dsKey: string): Promise<void> {
    await this.redis.del(this.keys.dirty(dsKey), this.keys.causes(dsKey), this.keys.contributions(dsKey));
  }

  /** Mark a DaemonSet for a full pass (a timed wake-up, or after a restore). */
  async markAllDirty(dsKey: string): Promise<void> {
    await this.redis.hincrby(this.keys.dirty(dsKey), AllNodes, 1);
  }

  // --- reads -----------------------------------------------------------------

  async getNode(name: string): Promise<Node | undefined> {
    const json = await this.redis.hget(this.keys.nodes, name);
    return json ? (JSON.parse(json) as Node) : undefined;
  }

  async listNodes(): Promise<Node[]> {
    const all = await this.redis.hvals(this.keys.nodes);
    return all.map((j) => JSON.parse(j) as Node).sort((a, b) => compare(a.metadata.name, b.metadata.name));
  }

  async getDaemonSet(namespace: string, name: string): Promise<DaemonSet | undefined> {
    const json = await this.redis.hget(this.keys.daemonSets, `${namespace}/${name}`);
    if (!json) return undefined;
    const record = parseRecord(json, new Map());
    return record.deleted ? undefined : record.daemonSet;
  }

  async listDaemonSets(namespace?: string): Promise<DaemonSet[]> {
    const all = await this.redis.hgetall(this.keys.daemonSets);
    return Object.entries(all)
      .filter(([key]) => namespace === undefined || key.startsWith(`${namespace}/`))
      .map(([, json]) => parseRecord(json, new Map()))
      .filter((r) => !r.deleted)
      .map((r) => r.daemonSet)
      .sort((a, b) => compare(`${a.metadata.namespace}/${a.metadata.name}`, `${b.metadata.namespace}/${b.metadata.name}`));
  }

  async getPod(namespace: string, name: string): Promise<Pod | undefined> {
    return readingPods(async () => {
      const pods = await podsOfRecords(this.redis, this.keys, [await this.redis.hget(this.keys.pods, `${namespace}/${name}`)]);
      return pods === BaseGone ? pods : pods[0];
    });
  }

  async listPods(namespace?: string): Promise<Pod[]> {
    const pods = await readingPods(async () => {
      const all = await this.redis.hgetall(this.keys.pods);
      const records = Object.entries(all).filter(([key]) => namespace === undefined || key.startsWith(`${namespace}/`));
      return podsOfRecords(this.redis, this.keys, records.map(([, record]) => record));
    });
    return (pods as Pod[]).sort((a, b) => compare(`${a.metadata.namespace}/${a.metadata.name}`, `${b.metadata.namespace}/${b.metadata.name}`));
  }

  /** Drop the pod bases no pod refers to any more (`pod-bases.ts`); the sweep calls it. Returns how many. */
  async forgetUnusedPodBases(): Promise<number> {
    return forgetUnusedPodBases(this.redis, this.keys);
  }

  async listRevisions(namespace: string, daemonSet: string): Promise<ControllerRevision[]> {
    const all = await this.redis.hvals(this.keys.revisions(`${namespace}/${daemonSet}`));
    return all.map((j) => JSON.parse(j) as ControllerRevision).sort((a, b) => a.revision - b.revision);
  }

  /**
   * Nodes, pods or DaemonSets as the API serves them, read at one instant
   * (one MULTI): each with `metadata.resourceVersion`, the seq of the commit
   * that last changed it (the `rv` hash the commit script keeps for its
   * optimistic checks), and `lastSeq`, the log's last seq then. `namespace`
   * narrows pods and DaemonSets; `name` reads that one object (none: `[]`).
   * An object without an rv (none is written by `restoreProjection`) gets
   * `lastSeq`: it changed at or before then.
   */
  async readVersioned<K extends keyof ObjectKinds>(kind: K, where: { namespace?: string; name?: string } = {}): Promise<VersionedObjects<ObjectKinds[K]>> {
    return readingPods(() => this.readVersionedOnce(kind, where));
  }

  /** `readVersioned`, or `BaseGone` when a pod's base was dropped before it was read (read again). */
  private async readVersionedOnce<K extends keyof ObjectKinds>(kind: K, where: { namespace?: string; name?: string }): Promise<VersionedObjects<ObjectKinds[K]> | typeof BaseGone> {
    const { hash, rvPrefix } = projected(this.keys)[kind];
    const scope = where.namespace === undefined || kind === 'nodes' ? '' : `${where.namespace}/`;
    const multi = this.redis.multi();
    if (where.name === undefined) multi.hgetall(hash).hgetall(this.keys.rv);
    else multi.hget(hash, `${scope}${where.name}`).hget(this.keys.rv, `${rvPrefix}${scope}${where.name}`);
    const replies = (await multi.get(this.keys.seq).exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
    const [objects, rvs, seq] = replies.map(([, value]) => value);
    const lastSeq = Number(seq ?? 0);
    const found: [string, string, string | undefined][] =
      where.name === undefined
        ? Object.entries(objects as Record<string, string>)
            .filter(([field]) => field.startsWith(scope))
            .map(([field, json]) => [field, json, (rvs as Record<string, string>)[`${rvPrefix}${field}`]])
        : typeof objects === 'string'
          ? [[`${scope}${where.name}`, objects, (rvs as string | null) ?? undefined]]
          : [];
    found.sort(([a], [b]) => compare(a, b));
    const pods = kind === 'pods' ? await podsOfRecords(this.redis, this.keys, found.map(([, record]) => record)) : undefined;
    if (pods === BaseGone) return BaseGone;
    const items = found.flatMap(([, json, rv], i) => {
      const object = kind === 'daemonSets' ? liveDaemonSet(json) : pods ? pods[i] : (JSON.parse(json) as Node);
      if (object === undefined) return [];
      return [{ ...object, metadata: { ...object.metadata, resourceVersion: rv ?? String(lastSeq) } } as ObjectKinds[K]];
    });
    // The rv hash keeps a removed object's key with the seq that removed it.
    const rvOf = (key: string): string | null | undefined => {
      if (!key.startsWith(scope)) return undefined;
      if (where.name === undefined) return (rvs as Record<string, string>)[`${rvPrefix}${key}`];
      return key === `${scope}${where.name}` ? (rvs as string | null) : undefined;
    };
    const changedAt = (key: string) => {
      const rv = rvOf(key);
      return rv === undefined || rv === null ? undefined : Number(rv);
    };
    return { items, lastSeq, changedAt };
  }

  /** Log entries after `after`, at most `limit`, each in the current schema version (older ones upcast). */
  async readLog({ after = 0, limit = 100 }: { after?: number; limit?: number } = {}): Promise<LogEntry[]> {
    const rows = await this.redis.xrange(this.keys.log, `${after + 1}-0`, '+', 'COUNT', limit);
    return rows.map(([id, fields]) => entryOf(fields[fields.indexOf('e') + 1] as string, Number(id.slice(0, id.indexOf('-')))));
  }

  /**
   * The entries among the next `limit` seqs after `after` that `where`
   * selects, in log order: the index lines rule out the rest unread (an
   * entry without a line is read and judged whole). `next` is the last seq
   * examined, where the next call starts.
   */
  async readLogWhere({ after = 0, limit = 10_000, where }: { after?: number; limit?: number; where: LogSelector }): Promise<{ entries: LogEntry[]; next: number }> {
    const to = Math.min(after + limit, await this.lastSeq());
    if (to <= after) return { entries: [], next: after };
    const selects = selectorTest(where);
    const read = await readIndexedJson(this, after + 1, to, (line) => !selects(line));
    const entries = read.map(([seq, json]) => entryOf(json, seq)).filter((entry) => selects(describeEntry(entry)));
    return { entries, next: to };
  }

  /** The last log seq outbound bridge `name` delivered (0: none yet). */
  async checkpoint(name: string): Promise<number> {
    return Number((await this.redis.hget(this.keys.checkpoints, name)) ?? 0);
  }

  /** Record that outbound bridge `name` delivered everything up to `seq`; never moves a checkpoint back. */
  async setCheckpoint(name: string, seq: number): Promise<void> {
    await this.redis.eval(
      "local c = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') if tonumber(ARGV[2]) > c then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end",
      1,
      this.keys.checkpoints,
      name,
      String(seq),
    );
  }

  /** The seq the log was trimmed behind (0: none): see `trimLog`. */
  async logHorizon(): Promise<number> {
    return Number((await this.redis.get(`${this.keys.tag}:horizon`)) ?? 0);
  }

  /** The last sequence number written. */
  async lastSeq(): Promise<number> {
    const seq = Number((await this.redis.get(this.keys.seq)) ?? 0);
    if (Number.isSafeInteger(seq) && seq >= 0) this.seqSeen = seq;
    return seq;
  }

  /** Whether `(source, id)` is in the log, and at which seq. */
  async seqOf(event: { source: string; id: string }): Promise<number | undefined> {
    const [seq] = await this.seqsOf([event]);
    return seq;
  }

  /** `seqOf` for many events, in one read. */
  async seqsOf(events: readonly { source: string; id: string }[]): Promise<(number | undefined)[]> {
    if (events.length === 0) return [];
    const seqs = await this.redis.hmget(this.keys.seen, ...events.map(dedupeField));
    return seqs.map((seq) => (seq ? Number(seq) : undefined));
  }

  /**
   * Bring keys an older engine wrote to today's types; run before workers
   * start. Engines before `causedBy` kept a DaemonSet's pending causes as a
   * set of seqs; they are a hash `seq → node` now, and a set left by a pass
   * not yet run would fail its passes, and the commit script of an event
   * marking it would stop at the set half-way through its writes. Its
   * seqs become causes of every node (`*`): which node each concerned was
   * not recorded. Returns how many keys it converted.
   */
  async upgradeKeys(): Promise<number> {
    let converted = 0;
    for await (const found of scanKeys(this.redis, this.keys.causes('*'), { type: 'set' })) {
      for (const key of found) converted += Number(await this.redis.eval(causesSetToHash, 1, key));
    }
    return converted;
  }

  /** Delete every key of this prefix (tests, `reset`). */
  async destroy(): Promise<void> {
    // Every key found carries the prefix's hash tag: one slot, so one UNLINK takes a batch on a cluster too.
    for await (const found of scanKeys(this.redis, this.keys.pattern)) await this.redis.unlink(...found);
  }
}

/** A set of seqs → a hash `seq → *`, atomically (a set only: run twice, it changes nothing). */
const causesSetToHash = `
if redis.call('TYPE', KEYS[1]).ok ~= 'set' then return 0 end
local seqs = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
for _, seq in ipairs(seqs) do redis.call('HSET', KEYS[1], seq, '${AllNodes}') end
return 1`;

/** A stored entry's JSON read as the current schema version, with its seq. */
export function entryOf(json: string, seq: number): LogEntry {
  // Assigned, not spread: replay reads millions of entries and every copy is garbage.
  const entry = JSON.parse(json) as { seq: number };
  entry.seq = seq;
  return upcastEntry(entry);
}

/** An HGETALL reply (ioredis makes it an object) as the record it is. */
function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) throw new Error(`expected a hash reply, got ${typeof value}`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
