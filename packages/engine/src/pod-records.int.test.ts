/**
 * Pods in the projection against a real Redis: a DaemonSet's pods stored
 * against one base (`@everynode/eventlog` pod-record.ts), every reader given
 * the pods whole, the bases counted and dropped when unused, and a store an
 * older engine wrote (every pod whole) read as it is.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRedis, type RedisClient } from './redis-client.ts';
import type { ClusterEvent, Pod } from '@everynode/api';
import { BaseGone, decodePod, EventStore, liveState, podJson, podsOfRecords, readingPods, restoreProjection, verify } from '@everynode/eventlog/internal';
import { acceptEvents } from './internal.ts';
import { settle } from './testing.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: RedisClient;
let store: EventStore;
let other: EventStore | undefined;
let n = 0;
const t0 = Date.parse('2026-03-01T00:00:00Z');
const prefix = () => `test-pod-records-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

function event(type: string, data: unknown, at = t0 + n, id = `e${++n}`): ClusterEvent {
  return { specversion: '1.0', id, source: 'test', type, time: new Date(at).toISOString(), data } as ClusterEvent;
}
const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
const ds = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'fluentd', namespace: 'kube-system' },
  spec: { selector: { matchLabels: { app: 'f' } }, template: { metadata: { labels: { app: 'f' } }, spec: { containers: [{ name: 'f', image: 'fluentd:v1' }] } } },
};
const nodeOf = (pod: Pod) => pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchFields?.[0]?.values?.[0] as string;
const runningReport = (pod: Pod) =>
  event('io.everynode.pod.status', {
    ...pod,
    spec: { ...pod.spec, nodeName: nodeOf(pod) },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(t0).toISOString() }] },
  });

/** Three nodes and the DaemonSet, passed over: three pods. */
async function threePods(): Promise<Pod[]> {
  await acceptEvents(store, ['a', 'b', 'c'].map((name) => event('io.everynode.node.joined', node(name))), t0);
  await acceptEvents(store, [event('io.everynode.daemonset.applied', ds)], t0);
  await settle(store, t0 + 10_000);
  return store.listPods('kube-system');
}

/** The pods the last passes decided to create, from the log. */
async function podsDecided(): Promise<Pod[]> {
  return (await store.readLog({ limit: 1000 })).flatMap((e) => (e.kind === 'pass' ? e.decisions.flatMap((d) => (d.type === 'PodCreateRequested' ? [d.pod] : [])) : []));
}

beforeEach(() => {
  redis = openRedis(url);
  store = new EventStore(redis, prefix());
});
afterEach(async () => {
  await store.destroy();
  await other?.destroy();
  other = undefined;
  await redis.quit();
});

describe('pods in the projection', () => {
  it('stores the pods of one template against one base, counted, and every reader gets each pod whole', async () => {
    const pods = await threePods();
    const records = await redis.hgetall(store.keys.pods);
    expect(Object.values(records)).toHaveLength(3);
    for (const record of Object.values(records)) expect(record.startsWith('[2,')).toBe(true);
    const bases = await redis.hgetall(store.keys.podBases);
    expect(Object.keys(bases)).toHaveLength(1);
    const [id] = Object.keys(bases);
    expect(await redis.hgetall(store.keys.podBaseRefs)).toEqual({ [id as string]: '3' });

    // Each as the pass decided it, byte for byte.
    const decided = new Map((await podsDecided()).map((p) => [p.metadata.name, podJson(p)]));
    expect(pods.map((p) => JSON.stringify(p))).toEqual(pods.map((p) => decided.get(p.metadata.name)));
    const [first] = pods as [Pod];
    expect(JSON.stringify(await store.getPod('kube-system', first.metadata.name))).toBe(decided.get(first.metadata.name));
    const versioned = await store.readVersioned('pods', { namespace: 'kube-system' });
    expect(versioned.items.map((p) => JSON.stringify(p))).toEqual(
      pods.map((p, i) => JSON.stringify({ ...p, metadata: { ...p.metadata, resourceVersion: versioned.items[i]?.metadata.resourceVersion } })),
    );
    expect(versioned.items.every((p) => p.metadata.resourceVersion === String(versioned.lastSeq))).toBe(true);
    expect((await store.readVersioned('pods', { namespace: 'kube-system', name: first.metadata.name })).items[0]?.spec).toEqual(first.spec);
    expect(await verify(store)).toMatchObject({ consistent: true });

    // A full pass that changes nothing writes nothing: each pod read back encodes to the record it was read from.
    const rvs = await redis.hgetall(store.keys.rv);
    await store.markAllDirty('kube-system/fluentd');
    await settle(store, t0 + 20_000);
    expect(await redis.hgetall(store.keys.rv)).toEqual(rvs);
    expect(await redis.hgetall(store.keys.pods)).toEqual(records);
  });

  it('moves the counts as pods change base and go; the sweep drops a base no pod refers to, and only such a base', async () => {
    const pods = await threePods();
    const [pending] = Object.keys(await redis.hgetall(store.keys.podBases));
    // Bound and running: another base (spec.nodeName is there now) for the two reported.
    await acceptEvents(store, pods.slice(0, 2).map(runningReport), t0);
    const refs = await redis.hgetall(store.keys.podBaseRefs);
    expect(refs[pending as string]).toBe('1');
    const [running] = Object.keys(refs).filter((id) => id !== pending);
    expect(refs[running as string]).toBe('2');
    expect(await store.forgetUnusedPodBases()).toBe(0);

    await acceptEvents(store, [runningReport(pods[2] as Pod)], t0);
    expect(await redis.hgetall(store.keys.podBaseRefs)).toEqual({ [running as string]: '3' });
    expect(Object.keys(await redis.hgetall(store.keys.podBases)).sort()).toEqual([pending, running].sort());
    expect(await store.forgetUnusedPodBases()).toBe(1);
    expect(Object.keys(await redis.hgetall(store.keys.podBases))).toEqual([running]);
    expect((await store.listPods('kube-system')).map((p) => p.status?.phase)).toEqual(['Running', 'Running', 'Running']);

    // Their nodes gone, the pods go, and with them the last count.
    await acceptEvents(store, ['a', 'b', 'c'].map((name) => event('io.everynode.node.removed', { metadata: { name } })), t0);
    await settle(store, t0 + 20_000);
    expect(await store.listPods()).toEqual([]);
    expect(await redis.hgetall(store.keys.podBaseRefs)).toEqual({});
    expect(await store.forgetUnusedPodBases()).toBe(1);
    expect(await redis.exists(store.keys.podBases)).toBe(0);
    expect(await verify(store)).toMatchObject({ consistent: true });
  });

  it('reads a store an older engine wrote, every pod whole; leaves an unchanged pod so, and stores one that changes against a base', async () => {
    const pods = await threePods();
    // As an older engine left it: each pod its JSON, no bases.
    for (const pod of pods) await redis.hset(store.keys.pods, `kube-system/${pod.metadata.name}`, podJson(pod));
    await redis.del(store.keys.podBases, store.keys.podBaseRefs);
    expect(JSON.stringify(await store.listPods('kube-system'))).toBe(JSON.stringify(pods));
    expect(await verify(store)).toMatchObject({ consistent: true });

    const rvs = await redis.hgetall(store.keys.rv);
    await store.markAllDirty('kube-system/fluentd');
    await settle(store, t0 + 30_000);
    expect(await redis.hgetall(store.keys.rv)).toEqual(rvs);
    const [changed, ...unchanged] = pods as [Pod, ...Pod[]];
    for (const pod of unchanged) expect(await redis.hget(store.keys.pods, `kube-system/${pod.metadata.name}`)).toBe(podJson(pod));

    await acceptEvents(store, [runningReport(changed)], t0);
    expect((await redis.hget(store.keys.pods, `kube-system/${changed.metadata.name}`))?.startsWith('[2,')).toBe(true);
    expect(Object.values(await redis.hgetall(store.keys.podBaseRefs))).toEqual(['1']);
    expect((await store.getPod('kube-system', changed.metadata.name))?.status?.phase).toBe('Running');
    expect(await verify(store)).toMatchObject({ consistent: true });
  });

  it('restoring a state writes each base once with the count of its pods', async () => {
    await threePods();
    const state = await liveState(store);
    other = new EventStore(redis, prefix());
    await restoreProjection(other, state, await store.lastSeq());
    expect(await redis.hgetall(other.keys.podBases)).toEqual(await redis.hgetall(store.keys.podBases));
    expect(await redis.hgetall(other.keys.podBaseRefs)).toEqual(await redis.hgetall(store.keys.podBaseRefs));
    expect(JSON.stringify(await other.listPods())).toBe(JSON.stringify(await store.listPods()));
  });

  it('a record whose base is gone reads as BaseGone, and the reader reads again until it is whole', async () => {
    const [pod] = (await threePods()) as [Pod];
    const record = (await redis.hget(store.keys.pods, `kube-system/${pod.metadata.name}`)) as string;
    const gone = record.replace(/^\[2,"[^"]+"/, '[2,"no-such-base-0000000"');
    expect(await podsOfRecords(redis, store.keys, [gone])).toBe(BaseGone);
    const read = await podsOfRecords(redis, store.keys, [record, null]);
    expect(read).not.toBe(BaseGone);
    expect(JSON.stringify(read)).toBe(JSON.stringify([pod, undefined]));
    expect(JSON.stringify(decodePod(record, Object.values(await redis.hgetall(store.keys.podBases))[0]))).toBe(JSON.stringify(pod));

    let attempts = 0;
    const again = await readingPods(async () => (++attempts < 3 ? BaseGone : 'whole'));
    expect([again, attempts]).toEqual(['whole', 3]);
    await expect(readingPods(async () => BaseGone)).rejects.toThrow(/kept being dropped/);
  });
});
