/**
 * A Kubernetes client library's informers against everynode: the official
 * JavaScript client (@kubernetes/client-node 1.4.0), `makeInformer` over
 * DaemonSets and Pods, through a TCP proxy in front of `up --simulate`'s
 * server. A small story (a DaemonSet applied, a node joining, a rollout, a
 * node removed, the DaemonSet deleted) reaches the informers in order, each
 * object's resourceVersions increasing; cut off mid-story, the informers
 * resume from their last resourceVersion — no relist — and miss nothing.
 */
import { ADD, AppsV1Api, CONNECT, CoreV1Api, DELETE, type KubernetesObject, KubeConfig, makeInformer, UPDATE, type V1DaemonSet, type V1Pod } from '@kubernetes/client-node';
import type { DaemonSet, Node } from '@everynode/api';
import { kubeconfigFor } from '@everynode/cli';
import { type LocalCluster, startLocalCluster } from '@everynode/cli/local-cluster';
import { EverynodeClient } from '@everynode/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyPrefix, eventually, quietLogger, redisUrl, uniquePrefix } from '../support/cluster.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

let cluster: LocalCluster;
let proxy: TcpProxy;
let client: EverynodeClient;
let kc: KubeConfig;

const node = (name: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});
const daemonSet = (namespace: string, image: string): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'story', namespace },
  spec: { selector: { matchLabels: { app: 'story' } }, template: { metadata: { labels: { app: 'story' } }, spec: { containers: [{ name: 'story', image }] } } },
});

/** One event an informer delivered, in the order it came. */
interface Seen {
  readonly verb: string;
  readonly name: string;
  readonly rv: number;
  readonly generation?: number;
}

/** An informer over `path` whose list calls are counted and whose events are recorded; it restarts after an error, as the library's docs advise. */
function informer<T extends KubernetesObject>(path: string, list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>) {
  let lists = 0;
  let connects = 0;
  /** How many of the first events came from the (first) list, not the watch. */
  let listed = 0;
  const seen: Seen[] = [];
  const inf = makeInformer<T>(kc, path, async () => {
    lists++;
    const answer = await list();
    if (lists === 1) listed = answer.items.length;
    return answer as never;
  });
  const record = (verb: string) => (object: T) =>
    seen.push({ verb, name: object.metadata?.name ?? '', rv: Number(object.metadata?.resourceVersion), generation: (object.metadata as { generation?: number } | undefined)?.generation });
  inf.on(ADD, record('ADDED'));
  inf.on(UPDATE, record('MODIFIED'));
  inf.on(DELETE, record('DELETED'));
  inf.on(CONNECT, () => connects++);
  let stopped = false;
  inf.on('error', () => {
    if (!stopped) setTimeout(() => void inf.start(), 100);
  });
  return {
    informer: inf,
    seen,
    /** The events that came by watch. */
    watched: () => seen.slice(listed),
    lists: () => lists,
    connects: () => connects,
    async stop() {
      stopped = true;
      await inf.stop();
    },
  };
}

/**
 * Each object's resourceVersions in the order they came: strictly
 * increasing; and the watch's events (the list's come in name order) never
 * going back.
 */
function expectInOrder({ seen, watched }: { seen: readonly Seen[]; watched: () => readonly Seen[] }): void {
  const rvs = watched().map((s) => s.rv);
  expect(seen.every((s) => Number.isSafeInteger(s.rv) && s.rv > 0), JSON.stringify(seen)).toBe(true);
  expect(rvs, JSON.stringify(seen)).toEqual([...rvs].sort((a, b) => a - b));
  const byName = new Map<string, number[]>();
  for (const s of seen) byName.set(s.name, [...(byName.get(s.name) ?? []), s.rv]);
  for (const [name, list] of byName) {
    expect(list.every((rv, i) => i === 0 || rv > (list[i - 1] as number)), `${name}: ${list.join(' ')}`).toBe(true);
  }
}

/** The names of every pod the controller decided to create in `namespace`, from the log. */
async function podsCreatedIn(namespace: string): Promise<string[]> {
  const names: string[] = [];
  for (let after = 0; ; ) {
    const entries = await cluster.engine.history.readLog({ after, limit: 1000 });
    for (const entry of entries) {
      if (entry.kind !== 'pass') continue;
      for (const d of entry.decisions) if (d.type === 'PodCreateRequested' && d.pod.metadata.namespace === namespace) names.push(d.pod.metadata.name ?? '');
    }
    if (entries.length < 1000) return names;
    after = entries.at(-1)?.seq ?? after;
  }
}

const podNames = async (namespace: string) => (await client.listPods({ namespace })).items.map((p) => p.metadata.name).sort();
const available = async (namespace: string, count: number, generation = 1) => {
  const ds = await client.getDaemonSet(namespace, 'story');
  return ds.status?.observedGeneration === generation && ds.status.updatedNumberScheduled === count && ds.status.numberAvailable === count && ds.status.desiredNumberScheduled === count;
};

beforeAll(async () => {
  cluster = await startLocalCluster({ simulate: true, port: 0, prefix: uniquePrefix('informer'), redisUrl, logger: quietLogger });
  client = new EverynodeClient({ server: cluster.url });
  proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(cluster.url).port) });
  kc = new KubeConfig();
  kc.loadFromString(kubeconfigFor(`http://127.0.0.1:${proxy.port}`));
  // client-node refuses plain HTTP unless the cluster says to skip TLS verification (there is no TLS to verify).
  const [cluster0] = kc.getClusters();
  kc.loadFromOptions({ clusters: [{ ...cluster0, skipTLSVerify: true }], users: kc.getUsers(), contexts: kc.getContexts(), currentContext: kc.getCurrentContext() });
  for (const name of ['i1', 'i2']) await client.createNode(node(name));
});

afterAll(async () => {
  await proxy?.close();
  if (!cluster) return;
  const prefix = cluster.engine.prefix;
  await cluster.stop();
  await destroyPrefix(prefix);
});

describe('@kubernetes/client-node informers', () => {
  it('see every change of a story, in order, with increasing resourceVersions', async () => {
    const ns = 'story';
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const dss = informer<V1DaemonSet>(`/apis/apps/v1/namespaces/${ns}/daemonsets`, () => apps.listNamespacedDaemonSet({ namespace: ns }));
    const pods = informer<V1Pod>(`/api/v1/namespaces/${ns}/pods`, () => core.listNamespacedPod({ namespace: ns }));
    await Promise.all([dss.informer.start(), pods.informer.start()]);
    try {
      await client.applyDaemonSet(daemonSet(ns, 'story:1'));
      await eventually(() => available(ns, 2), 20_000, 'two pods available');
      await client.createNode(node('i3'));
      await eventually(() => available(ns, 3), 20_000, 'three pods available');
      await client.applyDaemonSet(daemonSet(ns, 'story:2'));
      await eventually(() => available(ns, 3, 2), 30_000, 'the rollout to story:2');
      await client.deleteNode('i3');
      await eventually(() => available(ns, 2, 2), 20_000, 'i3 gone');
      await client.deleteDaemonSet(ns, 'story');
      await eventually(async () => (await podNames(ns)).length === 0, 20_000, 'every pod gone');

      const created = await podsCreatedIn(ns);
      expect(created.length).toBeGreaterThanOrEqual(6); // 2, then i3's, then 3 replaced
      // The informers agree with the server at the end: nothing left.
      await eventually(async () => dss.informer.list().length === 0 && pods.informer.list().length === 0, 10_000, 'informers empty');

      // DaemonSet: added first, deleted last, its spec change observed between, in order.
      expectInOrder(dss);
      expect(dss.seen[0]).toMatchObject({ verb: 'ADDED', name: 'story' });
      expect(dss.seen.at(-1)).toMatchObject({ verb: 'DELETED', name: 'story' });
      expect(dss.seen.slice(1, -1).every((s) => s.verb === 'MODIFIED')).toBe(true);
      expect(dss.seen.some((s) => s.generation === 2)).toBe(true);

      // Pods: every pod the controller created was added once and deleted once, in order.
      expectInOrder(pods);
      for (const name of created) {
        const mine = pods.seen.filter((s) => s.name === name);
        expect(mine[0]?.verb, `${name}: ${JSON.stringify(mine)}`).toBe('ADDED');
        expect(mine.at(-1)?.verb, `${name}: ${JSON.stringify(mine)}`).toBe('DELETED');
        expect(mine.filter((s) => s.verb !== 'MODIFIED')).toHaveLength(2);
      }
      expect(new Set(pods.seen.map((s) => s.name))).toEqual(new Set(created));
      // One list each, at the start: everything else came by watch.
      expect([dss.lists(), pods.lists()]).toEqual([1, 1]);
    } finally {
      await Promise.all([dss.stop(), pods.stop()]);
    }
  });

  it('cut off, they resume from their last resourceVersion: no relist, no change missed', async () => {
    const ns = 'resume';
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    await client.applyDaemonSet(daemonSet(ns, 'resume:1'));
    await eventually(() => available(ns, 2), 20_000, 'two pods available');
    const dss = informer<V1DaemonSet>(`/apis/apps/v1/namespaces/${ns}/daemonsets`, () => apps.listNamespacedDaemonSet({ namespace: ns }));
    const pods = informer<V1Pod>(`/api/v1/namespaces/${ns}/pods`, () => core.listNamespacedPod({ namespace: ns }));
    await Promise.all([dss.informer.start(), pods.informer.start()]);
    try {
      await eventually(async () => pods.informer.list().length === 2, 10_000, 'the informer has the two pods');
      const before = new Set(pods.informer.list().map((p) => p.metadata?.name));
      const connectsBefore = pods.connects();

      // The server seems gone: connections cut, new ones refused, while the cluster changes.
      proxy.pause();
      const onI1 = (await client.listPods({ namespace: ns })).items.find((p) => p.spec.nodeName === 'i1')?.metadata.name;
      await client.createNode(node('i4'));
      await client.deleteNode('i1');
      await client.applyDaemonSet(daemonSet(ns, 'resume:2'));
      await eventually(() => available(ns, 2, 2), 30_000, 'the rollout over i2 and i4');
      const now = await client.listPods({ namespace: ns });
      expect(pods.informer.list().map((p) => p.metadata?.name).sort()).toEqual([...before].sort()); // it saw none of it yet

      proxy.resume();
      await eventually(
        async () => JSON.stringify(pods.informer.list().map((p) => [p.metadata?.name, p.metadata?.resourceVersion]).sort()) === JSON.stringify(now.items.map((p) => [p.metadata.name, p.metadata.resourceVersion]).sort()),
        15_000,
        'the pod informer caught up with the server',
      );
      const ds = await client.getDaemonSet(ns, 'story');
      await eventually(async () => dss.informer.get('story', ns)?.metadata?.resourceVersion === ds.metadata.resourceVersion, 15_000, 'the DaemonSet informer caught up');

      // No relist: the one list of the start; the changes came by watch, from where it stopped.
      expect([dss.lists(), pods.lists()]).toEqual([1, 1]);
      expect(pods.connects()).toBeGreaterThan(connectsBefore);
      const afterCut = pods.seen.filter((s) => s.verb !== 'ADDED' || !before.has(s.name));
      expect(afterCut.some((s) => s.verb === 'DELETED' && s.name === onI1)).toBe(true);
      for (const pod of now.items) expect(pods.seen.some((s) => s.verb === 'ADDED' && s.name === pod.metadata.name), pod.metadata.name).toBe(true);
      expectInOrder(pods);
      expectInOrder(dss);
    } finally {
      await Promise.all([dss.stop(), pods.stop()]);
    }
  });
});
