/**
 * The commit script against a real Redis: a commit it cannot write whole —
 * a key of the wrong type, an unknown opcode, a key index or an argument
 * count out of range — is refused before the first write, leaving every key
 * as it was; and the index lines of new entries land in their blocks, across
 * block boundaries and when the committer's idea of the seq is stale.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRedis, type RedisClient } from './redis-client.ts';
import type { ClusterEvent } from '@everynode/api';
import { CommitBuilder, CommitRefused, EventStore, type Keys, LogSchemaVersion, parseReply, scanKeys, type UnsequencedEntry } from '@everynode/eventlog/internal';
import { acceptEvents, runPass } from './internal.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: RedisClient;
let store: EventStore;
let n = 0;
const t0 = Date.parse('2026-05-01T00:00:00Z');

beforeEach(() => {
  redis = openRedis(url);
  store = new EventStore(redis, `test-commit-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
});
afterEach(async () => {
  await store.destroy();
  await redis.quit();
});

const pass = (ds = 'ns/a'): UnsequencedEntry => ({ v: LogSchemaVersion, kind: 'pass', at: new Date(t0).toISOString(), daemonSet: ds, decisions: [], causes: [] });
const line = (seq: number, ds = 'ns/a') => `${seq} ${t0} pass - daemonset.apps/${ds}\n`;

function event(type: string, data: unknown, id = `e${++n}`): ClusterEvent {
  return { specversion: '1.0', id, source: 'test', type, time: new Date(t0 + n).toISOString(), data } as ClusterEvent;
}
const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: {} }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
const daemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'fluentd', namespace: 'kube-system' },
  spec: { selector: { matchLabels: { app: 'f' } }, template: { metadata: { labels: { app: 'f' } }, spec: { containers: [{ name: 'f', image: 'fluentd:v1' }] } } },
};

/** Every key of the store's prefix with its type and DUMP: equal before and after means nothing was written. */
async function everything(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const found of scanKeys(redis, store.keys.pattern)) {
    for (const key of found) out[key] = `${await redis.type(key)} ${(await redis.dumpBuffer(key))?.toString('base64')}`;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Expect `commit` to be refused naming each of `named`, with nothing written: no key changed, the seq and log as they were, no dedupe field. */
async function expectRefusedUnwritten(commit: () => Promise<unknown>, named: readonly (string | RegExp)[], dedupe?: string): Promise<void> {
  const before = await everything();
  const seq = await redis.get(store.keys.seq);
  const logLength = async () => ((await redis.type(store.keys.log)) === 'stream' ? redis.xlen(store.keys.log) : -1);
  const length = await logLength();
  const error = await commit().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommitRefused);
  for (const name of named) expect((error as Error).message).toMatch(name);
  expect(await everything()).toEqual(before);
  expect(await redis.get(store.keys.seq)).toBe(seq);
  expect(await logLength()).toBe(length);
  if (dedupe !== undefined) expect(await redis.hexists(store.keys.seen, dedupe)).toBe(0);
}

/** A builder whose script arguments are altered on the way, as a buggy or mismatched builder would send them. */
class Tampered extends CommitBuilder {
  constructor(
    keys: Keys,
    private readonly tamper: (argv: string[], keys: string[]) => void,
  ) {
    super(keys);
  }
  override args(lastSeq?: number): { keys: string[]; argv: string[] } {
    const args = super.args(lastSeq);
    this.tamper(args.argv, args.keys);
    return args;
  }
}

/** A commit of an entry and every kind of op (hincr first, hset and sadd last): a script writing as it decodes would have written some of it before any bad op. */
function fill(commit: CommitBuilder, k: Keys, tag: string): void {
  commit.entry(pass(), `test\n${tag}`);
  commit.check('node/a', '0');
  commit.touch('node/a');
  commit.hincr(k.dirty('ns/a'), 'a');
  commit.hsetSeq(k.causes('ns/a'), 0, 'a');
  commit.outboxPass(k.outbox, 0);
  commit.srem(k.nodePods('a'), 'ns/p0');
  commit.del(k.orphans('ns'));
  commit.hset(k.nodes, 'a', `{"v":"${tag}"}`);
  commit.sadd(k.nodePods('a'), `ns/${tag}`);
}

/** The script's raw reply for these arguments (no retry on `moved`). */
async function raw(keys: string[], argv: string[]): Promise<unknown> {
  const run = (redis as unknown as { everynodeCommit: (n: number, args: string[]) => Promise<unknown> }).everynodeCommit;
  return run.call(redis, keys.length, keys.concat(argv));
}

describe('commit script: every precondition before the first write', () => {
  beforeEach(async () => {
    // Something in every key the commits below write.
    const first = new CommitBuilder(store.keys);
    fill(first, store.keys, 'first');
    expect(await store.commit(first)).toEqual({ kind: 'ok', seqs: [1] });
  });

  it('refuses a hash op onto a key that is a string, and a set op onto a hash, writing nothing', async () => {
    await redis.set(store.keys.dirty('ns/a'), 'a string');
    const hashOntoString = new CommitBuilder(store.keys);
    fill(hashOntoString, store.keys, 'second');
    await expectRefusedUnwritten(() => store.commit(hashOntoString), [store.keys.dirty('ns/a'), /op 1 \(hincr\)/, /be a hash/, /is a string/], 'test\nsecond');

    await redis.del(store.keys.dirty('ns/a'));
    const setOntoHash = new CommitBuilder(store.keys);
    fill(setOntoHash, store.keys, 'third');
    setOntoHash.sadd(store.keys.nodes, 'x');
    await expectRefusedUnwritten(() => store.commit(setOntoHash), [/\(sadd\)/, store.keys.nodes, /be a set/, /is a hash/], 'test\nthird');
  });

  it('refuses the fixed keys and index blocks of the wrong type, a seq that is not a count and a log ahead of the seq', async () => {
    const attempt = (tag: string) => {
      const commit = new CommitBuilder(store.keys);
      fill(commit, store.keys, tag);
      return () => store.commit(commit);
    };
    // The log is checked by the first write, after the rv checks: a commit whose checks hold.
    const unchecked = (tag: string) => {
      const commit = new CommitBuilder(store.keys);
      commit.entry(pass(), `test\n${tag}`);
      commit.touch('node/a');
      commit.hset(store.keys.nodes, 'a', `{"v":"${tag}"}`);
      return () => store.commit(commit);
    };
    await redis.rename(store.keys.indexBlock(0), `${store.keys.tag}:kept`);
    await redis.hset(store.keys.indexBlock(0), 'f', 'v');
    await expectRefusedUnwritten(attempt('a'), [store.keys.indexBlock(0), /index line of seq 2/, /is a hash/], 'test\na');
    await redis.del(store.keys.indexBlock(0));
    await redis.rename(`${store.keys.tag}:kept`, store.keys.indexBlock(0));

    await redis.rename(store.keys.outbox, `${store.keys.tag}:kept`);
    await redis.sadd(store.keys.outbox, 'x');
    await expectRefusedUnwritten(attempt('b'), [store.keys.outbox, /\(xaddseq\)/, /be a stream/, /is a set/], 'test\nb');
    await redis.del(store.keys.outbox);
    await redis.rename(`${store.keys.tag}:kept`, store.keys.outbox);

    await redis.rename(store.keys.log, `${store.keys.tag}:kept`);
    await redis.sadd(store.keys.log, 'x');
    await expectRefusedUnwritten(unchecked('log'), [store.keys.log, /the log needs/, /be a stream/, /is a set/], 'test\nlog');
    await redis.del(store.keys.log);
    await redis.rename(`${store.keys.tag}:kept`, store.keys.log);

    await redis.set(store.keys.seq, 'one');
    await expectRefusedUnwritten(attempt('c'), [store.keys.seq, /holds one, not a count/]);
    // The log holds entry 1: a seq of 0 would add a second entry 1.
    await redis.set(store.keys.seq, '0');
    const before = await everything();
    await expect(unchecked('d')()).rejects.toThrow(`the log ${store.keys.log} cannot take entry 1 (the seq is behind it)`);
    expect(await everything()).toEqual(before);
  });

  it('refuses a count that is not an integer in the field it counts', async () => {
    await redis.hset(store.keys.dirty('ns/a'), 'a', 'many');
    const commit = new CommitBuilder(store.keys);
    fill(commit, store.keys, 'second');
    await expectRefusedUnwritten(() => store.commit(commit), [/op 1 \(hincr\)/, store.keys.dirty('ns/a'), /field a holds many, not an integer/], 'test\nsecond');
    // Cleared earlier in the same commit, the field counts from nothing.
    const cleared = new CommitBuilder(store.keys);
    cleared.del(store.keys.dirty('ns/a'));
    cleared.hincr(store.keys.dirty('ns/a'), 'a');
    await expect(store.commit(cleared)).resolves.toEqual({ kind: 'ok', seqs: [] });
    expect(await redis.hgetall(store.keys.dirty('ns/a'))).toEqual({ a: '1' });
  });

  it('refuses an unknown opcode, a key index out of range and a wrong argument count, naming the op', async () => {
    const cases: [(argv: string[]) => void, (string | RegExp)[]][] = [
      [(argv) => (argv[argv.indexOf('srem')] = 'hfoo'), [/op \d+: unknown opcode "hfoo" on .*node-pods:a$/]],
      [(argv) => (argv[argv.indexOf('srem') + 1] = '99'), [/op \d+ \(srem\): key index 99 is not one of KEYS\[1\.\.\d+\]/]],
      [(argv) => (argv[argv.indexOf('srem') + 1] = '0'), [/op \d+ \(srem\): key index 0 is not one/]],
      [(argv) => (argv[argv.indexOf('srem') + 2] = '2'), [/op \d+ \(srem\) on .*node-pods:a: takes 1 arguments, not 2/]],
      [(argv) => (argv[argv.indexOf('hsetseq') + 3] = '5'), [/op \d+ \(hsetseq\) on .*causes:ns\/a: entry index 5 is not one of this commit's 1 entries/]],
      [(argv) => argv.push('extra'), [/ARGV has 1 values after the last op/]],
      [(argv) => argv.splice(argv.length - 1), [/ARGV ends within op|is not a count of the arguments that follow/]],
    ];
    for (const [i, [tamper, named]] of cases.entries()) {
      const commit = new Tampered(store.keys, tamper);
      fill(commit, store.keys, `t${i}`);
      await expectRefusedUnwritten(() => store.commit(commit), named, `test\nt${i}`);
    }
    // The index blocks passed must be among KEYS.
    const blocks = new Tampered(store.keys, (argv) => (argv[1] = '1000'));
    fill(blocks, store.keys, 'blocks');
    await expectRefusedUnwritten(() => store.commit(blocks), [/first index block, block count/]);
  });

  it('refuses two entries of one commit with one dedupe field: an event is logged once, whoever builds the commit', async () => {
    const twice = new CommitBuilder(store.keys);
    const copy = event('io.everynode.node.joined', node('twice'));
    const body: UnsequencedEntry = { v: LogSchemaVersion, kind: 'event', at: new Date(t0).toISOString(), event: copy, applied: true };
    twice.entry(body, `test\n${copy.id}`);
    twice.entry(pass(), '');
    twice.entry(body, `test\n${copy.id}`);
    await expectRefusedUnwritten(() => store.commit(twice), [/entries 0 and 2 have one dedupe field/], `test\n${copy.id}`);
  });

  it('refuses the commit of an event marking a DaemonSet whose causes an older engine left as a set (upgradeKeys not run)', async () => {
    await store.destroy();
    await acceptEvents(store, [event('io.everynode.daemonset.applied', daemonSet), event('io.everynode.node.joined', node('a'))], t0);
    await runPass(store, 'kube-system/fluentd', t0 + 10_000);
    const key = store.keys.causes('kube-system/fluentd');
    await redis.multi().del(key).sadd(key, '1').exec();
    const joined = event('io.everynode.node.joined', node('b'));
    await expectRefusedUnwritten(() => acceptEvents(store, [joined], t0), [/\(hsetseq\)/, key, /is a set/], `test\n${joined.id}`);
    expect(await store.upgradeKeys()).toBe(1);
    expect((await acceptEvents(store, [joined], t0)).results[0]).toMatchObject({ duplicate: false, applied: true });
  });
});

describe('commit script: index blocks', () => {
  /** A commit of `count` pass entries. */
  const entries = (count: number) => {
    const commit = new CommitBuilder(store.keys);
    for (let i = 0; i < count; i++) commit.entry(pass());
    return commit;
  };
  const block = async (b: number) => (await redis.get(store.keys.indexBlock(b))) ?? '';

  it('writes the lines of a commit crossing a block boundary into both blocks, and rewrites the completed one', async () => {
    await redis.set(store.keys.seq, '997');
    expect(await store.commit(entries(1))).toEqual({ kind: 'ok', seqs: [998] });
    expect(await store.commit(entries(3))).toEqual({ kind: 'ok', seqs: [999, 1000, 1001] });
    expect(await block(0)).toBe(line(998) + line(999));
    expect(await block(1)).toBe(line(1000) + line(1001));
    // Complete, block 0 was written again without the room APPEND keeps for growth: as big as the same text SET.
    const copy = `${store.keys.tag}:index:X`;
    await redis.set(copy, await block(0));
    expect(await redis.call('MEMORY', 'USAGE', store.keys.indexBlock(0))).toBe(await redis.call('MEMORY', 'USAGE', copy));
    expect((await store.readLog({ after: 997 })).map((e) => e.seq)).toEqual([998, 999, 1000, 1001]);

    // A commit of more entries than a block holds spans three.
    expect((await store.commit(entries(1500))) as { seqs: number[] }).toMatchObject({ kind: 'ok', seqs: expect.arrayContaining([1002, 2501]) });
    expect((await block(1)).split('\n')).toHaveLength(1000 + 1);
    expect(await block(2)).toBe(Array.from({ length: 502 }, (_, i) => line(2000 + i)).join(''));
  });

  it("passes the blocks after the seq it knows; stale, the script answers moved and the store commits again from the seq it gives", async () => {
    const other = new EventStore(redis, store.keys.prefix);
    expect(await store.commit(entries(1))).toEqual({ kind: 'ok', seqs: [1] });
    // Meanwhile another client commits 2,995 entries: the store still knows seq 1.
    expect(((await other.commit(entries(2995))) as { seqs: number[] }).seqs.at(-1)).toBe(2996);

    // Stale, the blocks passed (0 and 1) are not the new entries': nothing written, and the seq now.
    const stale = entries(3);
    const { keys, argv } = stale.args(1);
    expect(keys.slice(-2)).toEqual([store.keys.indexBlock(0), store.keys.indexBlock(1)]);
    const before = await everything();
    expect(parseReply(await raw(keys, argv))).toEqual({ kind: 'moved', seq: 2996 });
    expect(await everything()).toEqual(before);

    // Through the store: moved, then committed from 2996, across the boundary of blocks 2 and 3.
    expect(await store.commit(stale)).toEqual({ kind: 'ok', seqs: [2997, 2998, 2999] });
    expect(await store.commit(entries(2))).toEqual({ kind: 'ok', seqs: [3000, 3001] });
    expect((await block(2)).split('\n').slice(-4)).toEqual([line(2997), line(2998), line(2999), ''].map((l) => l.trimEnd()));
    expect(await block(3)).toBe(line(3000) + line(3001));
    expect((await block(0)) + (await block(1)) + (await block(2)) + (await block(3))).toBe(Array.from({ length: 3001 }, (_, i) => line(i + 1)).join(''));

    // Behind the seq it knows (the prefix emptied and begun again): moved back, and committed at 1.
    await store.destroy();
    expect(await store.commit(entries(1))).toEqual({ kind: 'ok', seqs: [1] });
    expect(await block(0)).toBe(line(1));
    expect(await redis.exists(store.keys.indexBlock(3))).toBe(0);
  });

  it('needs no blocks for a commit without entries, and accepts events into the right block when others wrote the seq', async () => {
    const { keys, argv } = new CommitBuilder(store.keys).args(5000);
    expect(keys).toHaveLength(4);
    expect(argv.slice(0, 3)).toEqual(['5', '0', '0']);
    await redis.set(store.keys.seq, '1998');
    const results = (await acceptEvents(store, [event('io.everynode.node.joined', node('x')), event('io.everynode.node.joined', node('y'))], t0)).results;
    expect(results.map((r) => r.seq)).toEqual([1999, 2000]);
    expect((await block(1)).startsWith('1999 ')).toBe(true);
    expect((await block(2)).startsWith('2000 ')).toBe(true);
  });
});
