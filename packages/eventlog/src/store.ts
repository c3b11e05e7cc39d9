/**
 * The event store: accepts events into the log and the projection in one
 * atomic, idempotent step, and reads the projection and the log back.
 */
import { readFileSync } from 'node:fs';
import type { ClusterEvent, ControllerRevision, DaemonSet, Node, Pod } from '@everynode/api';
import { evolve, targetNodeName, type Evolution } from '@everynode/daemonset';
import type { Redis } from 'ioredis';
import { CommitBuilder, type CommitOutcome, parseReply } from './commit.ts';
import type { EventEntry, LogEntry } from './entries.ts';
import { AllNodes, Keys } from './keys.ts';
import { type IndexLine, readIndexedJson } from './log-index.ts';
import { parseRecord, Slice } from './slice.ts';
import { LogSchemaVersion, upcastEntry } from './upcast.ts';

const commitScript = readFileSync(new URL('./scripts/commit.lua', import.meta.url), 'utf8');

/** What became of one submitted event. */
export interface Acceptance {
  readonly id: string;
  readonly source: string;
  /** Its log sequence number (the first one, if it was a duplicate). */
  readonly seq: number;
  readonly duplicate: boolean;
  readonly applied: boolean;
  readonly ignored?: string;
}

/** Thrown when a commit kept losing races; the caller retries later (transient). */
export class CommitContention extends Error {}

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
    readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new Keys(prefix);
    if (!('everynodeCommit' in redis)) {
      redis.defineCommand('everynodeCommit', { lua: commitScript });
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
    const run = (this.redis as unknown as Record<string, (n: number, args: string[]) => Promise<unknown>>).everynodeCommit as (
      n: number,
      args: string[],
    ) => Promise<unknown>;
    for (let attempt = 0; attempt < 10; attempt++) {
      const { keys, argv } = builder.args(this.seqSeen);
      // One array argument (ioredis flattens it): spreading 100,000s of arguments would overflow the stack.
      const reply = parseReply(await run.call(this.redis, keys.length, keys.concat(argv)));
      if (reply.kind === 'moved') {
        this.seqSeen = reply.seq;
        continue;
      }
      if (reply.kind === 'ok' && reply.seqs.length > 0) this.seqSeen = Math.max(this.seqSeen, reply.seqs[reply.seqs.length - 1] as number);
      return reply;
    }
    throw new CommitContention('could not commit: the log kept moving past the index blocks passed');
  }

  /**
   * Accept validated events, in order: each is appended to the log once per
   * `(source, id)` — a repeat changes nothing — and folded into the
   * projection by the core's `evolve`, and the DaemonSets it concerns are
   * marked dirty, all in one atomic step. `at` is the acceptance time.
   */
  async accept(events: readonly ClusterEvent[], at: number): Promise<{ results: Acceptance[]; dirty: Set<string> }> {
    const results = new Map<number, Acceptance>();
    for (let attempt = 0; attempt < 20; attempt++) {
      // Which are already in the log, and what the rest touch: read together, one round trip.
      const candidates = events.map((e, i) => [e, i] as const).filter(([, i]) => !results.has(i));
      const [, slice] = await Promise.all([this.markKnown(events, results), this.sliceFor(candidates.map(([e]) => e))]);
      const pending = candidates.filter(([, i]) => !results.has(i));
      if (pending.length === 0) break;
      const commit = new CommitBuilder(this.keys);
      const outcomes: { index: number; evolution: Evolution; entry: number }[] = [];
      for (const [event, index] of pending) {
        const evolution = evolve(slice.state, event);
        const body: Omit<EventEntry, 'seq'> = {
          v: LogSchemaVersion,
          kind: 'event',
          at: new Date(at).toISOString(),
          event,
          applied: evolution.applied,
          ...(evolution.ignored ? { ignored: evolution.ignored } : {}),
        };
        const entry = commit.entry(body, dedupeField(event));
        this.markDirty(commit, slice, event, evolution, entry);
        outcomes.push({ index, evolution, entry });
      }
      slice.writeChanges(commit);
      const outcome = await this.commit(commit);
      if (outcome.kind === 'conflict') continue;
      if (outcome.kind === 'dup') continue; // another worker won: markKnown picks them up next round
      const dirty = new Set<string>();
      for (const { index, evolution, entry } of outcomes) {
        const event = events[index] as ClusterEvent;
        results.set(index, {
          id: event.id,
          source: event.source,
          seq: outcome.seqs[entry] as number,
          duplicate: false,
          applied: evolution.applied,
          ...(evolution.ignored ? { ignored: evolution.ignored } : {}),
        });
      }
      for (const key of this.dirtyOf(slice, outcomes.map((o) => o.evolution))) dirty.add(key);
      return { results: events.map((_, i) => results.get(i) as Acceptance), dirty };
    }
    if (results.size === events.length) return { results: events.map((_, i) => results.get(i) as Acceptance), dirty: new Set() };
    throw new CommitContention('could not accept events: the objects they touch kept changing');
  }

  /** Record, for events already in the log, that they are duplicates. */
  private async markKnown(events: readonly ClusterEvent[], results: Map<number, Acceptance>): Promise<void> {
    const unknown = events.map((e, i) => [e, i] as const).filter(([, i]) => !results.has(i));
    if (unknown.length === 0) return;
    const seqs = await this.redis.hmget(this.keys.seen, ...unknown.map(([e]) => dedupeField(e)));
    unknown.forEach(([event, index], i) => {
      const seq = seqs[i];
      if (seq) results.set(index, { id: event.id, source: event.source, seq: Number(seq), duplicate: true, applied: false });
    });
  }

  /** Read what the events touch: their nodes, pods and DaemonSets (for writing), and every DaemonSet record. */
  private async sliceFor(events: readonly ClusterEvent[]): Promise<Slice> {
    const slice = new Slice(this.redis, this.keys);
    const nodes = new Set<string>();
    const pods = new Set<string>();
    const daemonSets = new Set<string>();
    for (const event of events) {
      const meta = event.data.metadata as { name: string; namespace?: string };
      if (event.type.startsWith('io.everynode.node.')) nodes.add(meta.name);
      else if (event.type.startsWith('io.everynode.pod.')) pods.add(`${meta.namespace ?? 'default'}/${meta.name}`);
      else daemonSets.add(`${meta.namespace ?? 'default'}/${meta.name}`);
    }
    await slice.load({ nodes: [...nodes], pods: [...pods], daemonSets: [...daemonSets], allDaemonSets: true });
    return slice;
  }

  /** Dirty marks and causes for one event: which DaemonSets must look again, at which nodes. */
  private markDirty(commit: CommitBuilder, slice: Slice, event: ClusterEvent, evolution: Evolution, entry: number): void {
    if (!evolution.applied) return;
    const mark = (dsKey: string, node: string) => {
      commit.hincr(this.keys.dirty(dsKey), node);
      // Which node the event concerns, so the pass can name the causes of each decision.
      commit.hsetSeq(this.keys.causes(dsKey), entry, node);
    };
    if (evolution.affected === 'all') {
      const node = (event.data.metadata as { name: string }).name;
      for (const [dsKey, record] of slice.state.daemonSets) if (!record.deleted) mark(dsKey, node);
      return;
    }
    for (const dsKey of evolution.affected) {
      if (event.type.startsWith('io.everynode.daemonset.')) {
        mark(dsKey, AllNodes);
        continue;
      }
      const meta = event.data.metadata as { name: string; namespace: string };
      const podKey = `${meta.namespace}/${meta.name}`;
      const pod = slice.state.pods.get(podKey) ?? slice.podAsRead(podKey);
      const reported = event.type === 'io.everynode.pod.status' ? (event.data as Pod) : undefined;
      const node = (pod && targetNodeName(pod)) ?? reported?.spec.nodeName ?? AllNodes;
      mark(dsKey, node);
    }
  }

  private dirtyOf(slice: Slice, evolutions: readonly Evolution[]): Set<string> {
    const out = new Set<string>();
    for (const evolution of evolutions) {
      if (!evolution.applied) continue;
      if (evolution.affected === 'all') {
        for (const [dsKey, record] of slice.state.daemonSets) if (!record.deleted) out.add(dsKey);
      } else {
        for (const dsKey of evolution.affected) out.add(dsKey);
      }
    }
    return out;
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
    const json = await this.redis.hget(this.keys.pods, `${namespace}/${name}`);
    return json ? (JSON.parse(json) as Pod) : undefined;
  }

  async listPods(namespace?: string): Promise<Pod[]> {
    const all = await this.redis.hgetall(this.keys.pods);
    return Object.entries(all)
      .filter(([key]) => namespace === undefined || key.startsWith(`${namespace}/`))
      .map(([, json]) => JSON.parse(json) as Pod)
      .sort((a, b) => compare(`${a.metadata.namespace}/${a.metadata.name}`, `${b.metadata.namespace}/${b.metadata.name}`));
  }

  async listRevisions(namespace: string, daemonSet: string): Promise<ControllerRevision[]> {
    const all = await this.redis.hvals(this.keys.revisions(`${namespace}/${daemonSet}`));
    return all.map((j) => JSON.parse(j) as ControllerRevision).sort((a, b) => a.revision - b.revision);
  }

  /** Log entries after `after`, at most `limit`, each in the current schema version (older ones upcast). */
  async readLog({ after = 0, limit = 100 }: { after?: number; limit?: number } = {}): Promise<LogEntry[]> {
    const rows = await this.redis.xrange(this.keys.log, `${after + 1}-0`, '+', 'COUNT', limit);
    return rows.map(([id, fields]) => entryOf(fields[fields.indexOf('e') + 1] as string, Number(id.slice(0, id.indexOf('-')))));
  }

  /**
   * The entries among the next `limit` seqs after `after` that `where` does
   * not rule out by their index lines (`log-index.ts`; an entry without a
   * line is always read): a filtered read that fetches only what may match.
   * `next` is the last seq examined, where the next call starts.
   */
  async readLogWhere({ after = 0, limit = 10_000, where }: { after?: number; limit?: number; where: (line: IndexLine) => boolean }): Promise<{ entries: LogEntry[]; next: number }> {
    const to = Math.min(after + limit, await this.lastSeq());
    if (to <= after) return { entries: [], next: after };
    const read = await readIndexedJson(this, after + 1, to, (line) => !where(line));
    return { entries: read.map(([seq, json]) => entryOf(json, seq)), next: to };
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
    const seq = await this.redis.hget(this.keys.seen, dedupeField(event));
    return seq ? Number(seq) : undefined;
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
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', this.keys.causes('*'), 'COUNT', 1000, 'TYPE', 'set');
      cursor = next;
      for (const key of found) converted += Number(await this.redis.eval(causesSetToHash, 1, key));
    } while (cursor !== '0');
    return converted;
  }

  /** Delete every key of this prefix (tests, `reset`). */
  async destroy(): Promise<void> {
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', this.keys.pattern, 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) await this.redis.unlink(...found);
    } while (cursor !== '0');
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

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
