/**
 * The store against a real Redis: events accepted once, projection and log
 * in step, passes recorded with their commands, replay identical to live.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRedis, type RedisClient } from './redis-client.ts';
import type { ClusterEvent } from '@everynode/api';
import { commandsOf } from '@everynode/daemonset';
import { causesOf, EventStore, verify } from '@everynode/eventlog/internal';
import { acceptEvents, runPass } from './internal.ts';
import { settle } from './testing.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: RedisClient;
let store: EventStore;
let n = 0;
const t0 = Date.parse('2026-03-01T00:00:00Z');

function event(type: string, data: unknown, at = t0 + n, id = `e${++n}`): ClusterEvent {
  return { specversion: '1.0', id, source: 'test', type, time: new Date(at).toISOString(), data } as ClusterEvent;
}
const node = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
const ds = (image = 'fluentd:v1') => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'fluentd', namespace: 'kube-system' },
  spec: { selector: { matchLabels: { app: 'f' } }, template: { metadata: { labels: { app: 'f' } }, spec: { containers: [{ name: 'f', image }] } } },
});

beforeEach(() => {
  redis = openRedis(url);
  store = new EventStore(redis, `test-eventlog-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
});
afterEach(async () => {
  await store.destroy();
  await redis.quit();
});

const settleAll = (now = t0 + 10_000) => settle(store, now);

describe('EventStore', () => {
  it('accepts an event once: a repeat is a duplicate with the first seq, and writes nothing', async () => {
    const e = event('io.everynode.node.joined', node('a'));
    const first = await acceptEvents(store, [e], t0);
    const again = await acceptEvents(store, [e, e], t0);
    expect(first.results[0]).toMatchObject({ duplicate: false, applied: true, seq: 1 });
    expect(again.results.map((r) => [r.duplicate, r.seq])).toEqual([[true, 1], [true, 1]]);
    expect(await store.readLog()).toHaveLength(1);
    expect((await store.listNodes()).map((x) => x.metadata.name)).toEqual(['a']);
  });

  it('records a pass: pods created with their commands in the outbox, status stored, replay identical', async () => {
    await acceptEvents(store, [event('io.everynode.node.joined', node('a')), event('io.everynode.node.joined', node('b'))], t0);
    const applied = await acceptEvents(store, [event('io.everynode.daemonset.applied', ds())], t0);
    expect([...applied.dirty]).toEqual(['kube-system/fluentd']);
    expect(await settleAll()).toBe(2);
    const pods = await store.listPods('kube-system');
    expect(pods).toHaveLength(2);
    // The outbox notes the pass; its commands are derived from the logged decisions when published.
    const [[, fields]] = (await redis.xrange(store.keys.outbox, '-', '+')) as [string, string[]][] as [[string, string[]]];
    const [pass] = await store.readLog({ after: Number(fields[1]) - 1, limit: 1 });
    expect(pass?.kind === 'pass' && commandsOf(pass.decisions, Date.parse(pass.at)).map((c) => `${c.type} ${c.subject}`).sort()).toEqual([
      'io.everynode.pod.create a',
      'io.everynode.pod.create b',
    ]);
    expect((await store.getDaemonSet('kube-system', 'fluentd'))?.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2 });
    const log = await store.readLog();
    expect(log.at(-1)).toMatchObject({ kind: 'pass', daemonSet: 'kube-system/fluentd', causes: [3], causedBy: { '*': [3] } });
    expect(await verify(store)).toMatchObject({ consistent: true, differences: [] });
  });

  it('a node joining later costs a partial pass over that node only', async () => {
    await acceptEvents(store, [event('io.everynode.node.joined', node('a'))], t0);
    await acceptEvents(store, [event('io.everynode.daemonset.applied', ds())], t0);
    await settleAll();
    await acceptEvents(store, [event('io.everynode.node.joined', node('c'))], t0);
    const outcome = await runPass(store, 'kube-system/fluentd', t0 + 20_000);
    expect(outcome).toMatchObject({ full: false, nodes: 1, commands: 1 });
    // The pass names, per node, the events that caused its decisions there.
    const joined = (await store.readLog({ limit: 100 })).find((e) => e.kind === 'event' && e.event.data.metadata.name === 'c');
    const pass = (await store.readLog({ limit: 100 })).at(-1);
    expect(pass).toMatchObject({ kind: 'pass', causedBy: { c: [joined?.seq] } });
    expect(pass?.kind === 'pass' && causesOf(pass, 'c')).toEqual([joined?.seq]);
    expect((await store.getDaemonSet('kube-system', 'fluentd'))?.status?.desiredNumberScheduled).toBe(2);
    expect(await verify(store)).toMatchObject({ consistent: true });
  });

  it('pod status and deletion flow through to status; a removed node\'s pod goes at once', async () => {
    await acceptEvents(store, [event('io.everynode.node.joined', node('a')), event('io.everynode.node.joined', node('b'))], t0);
    await acceptEvents(store, [event('io.everynode.daemonset.applied', ds())], t0);
    await settleAll();
    const pods = await store.listPods('kube-system');
    await acceptEvents(store, 
      pods.map((p) =>
        event('io.everynode.pod.status', {
          ...p,
          spec: { ...p.spec, nodeName: p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchFields?.[0]?.values?.[0] },
          status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(t0).toISOString() }] },
        }),
      ),
      t0,
    );
    await settleAll();
    expect((await store.getDaemonSet('kube-system', 'fluentd'))?.status).toMatchObject({ numberReady: 2, numberAvailable: 2 });
    await acceptEvents(store, [event('io.everynode.node.removed', { metadata: { name: 'b' } })], t0);
    await settleAll();
    expect(await store.listPods('kube-system')).toHaveLength(1);
    expect((await store.getDaemonSet('kube-system', 'fluentd'))?.status).toMatchObject({ desiredNumberScheduled: 1, numberReady: 1 });
    expect(await verify(store)).toMatchObject({ consistent: true });
  });

  it('a stale node update is recorded as seen but not applied', async () => {
    await acceptEvents(store, [event('io.everynode.node.joined', node('a', { v: '2' }), t0 + 5000)], t0);
    const late = await acceptEvents(store, [event('io.everynode.node.updated', node('a', { v: '1' }), t0 + 1000)], t0);
    expect(late.results[0]).toMatchObject({ applied: false, ignored: expect.stringContaining('stale') });
    expect((await store.getNode('a'))?.metadata.labels).toEqual({ v: '2' });
    expect(await store.readLog()).toHaveLength(2);
  });

  it('verify finds a tampered projection', async () => {
    await acceptEvents(store, [event('io.everynode.node.joined', node('a'))], t0);
    await redis.hset(store.keys.nodes, 'ghost', JSON.stringify(node('ghost')));
    const result = await verify(store);
    expect(result.consistent).toBe(false);
    expect(result.differences).toEqual(['node/ghost: live has it, the log does not imply it']);
  });
});

describe('big passes', () => {
  it('a pass creating 20,000 pods commits in one step (hundreds of thousands of script arguments)', async () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => event('io.everynode.node.joined', node(`n${i}`)));
    for (let i = 0; i < nodes.length; i += 5000) await acceptEvents(store, nodes.slice(i, i + 5000), t0);
    await acceptEvents(store, [event('io.everynode.daemonset.applied', ds())], t0);
    const outcome = await runPass(store, 'kube-system/fluentd', t0 + 1000);
    expect(outcome).toMatchObject({ full: true, commands: 20_000 });
    expect(await redis.hlen(store.keys.pods)).toBe(20_000);
    expect((await store.getDaemonSet('kube-system', 'fluentd'))?.status?.currentNumberScheduled).toBe(20_000);
  }, 60_000);
});

describe('upgradeKeys', () => {
  it("turns a pass's pending causes left as a set by an older engine into today's hash, so events and passes go on", async () => {
    await acceptEvents(store, [event('io.everynode.daemonset.applied', ds()), event('io.everynode.node.joined', node('a'))], t0);
    await settleAll();
    await acceptEvents(store, [event('io.everynode.node.joined', node('b'))], t0);
    // As an older engine left it: the causes as a set of seqs.
    const key = store.keys.causes('kube-system/fluentd');
    const seqs = Object.keys(await redis.hgetall(key));
    expect(seqs).toHaveLength(1);
    await redis.multi().del(key).sadd(key, ...seqs, '1').exec();
    // Left so, the pass cannot read its causes (and an event's commit script would stop half-way at the set).
    await expect(runPass(store, 'kube-system/fluentd', t0 + 20_000)).rejects.toThrow();

    expect(await store.upgradeKeys()).toBe(1);
    expect(await redis.hgetall(key)).toEqual(Object.fromEntries([...seqs, '1'].map((s) => [s, '*'])));
    expect(await store.upgradeKeys()).toBe(0);
    await acceptEvents(store, [event('io.everynode.node.joined', node('c'))], t0);
    expect(await settleAll()).toBe(2);
    const pass = (await store.readLog({ limit: 100 })).filter((e) => e.kind === 'pass').at(-1);
    expect(pass?.kind === 'pass' && causesOf(pass, 'b')).toEqual([1, Number(seqs[0])]);
    expect(await verify(store)).toMatchObject({ consistent: true });

  });
});
