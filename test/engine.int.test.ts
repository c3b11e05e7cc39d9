/** The engine end to end in one process, against a real Redis: events in, commands out. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from './support/cluster.ts';
import { cloudEvent, commandsOf, destroyPrefix, eventually, fixture, testEngine } from './support/cluster.ts';

let engine: Engine | undefined;
afterEach(async () => {
  if (!engine) return;
  await engine.close();
  await destroyPrefix(engine.prefix);
  engine = undefined;
});

describe('engine', () => {
  it('the seed: six nodes and the fluentd DaemonSet give six create commands, masters tolerated', async () => {
    engine = await testEngine('engine-seed');
    const nodes = fixture('cluster-6-nodes.yaml');
    const [ds] = fixture('fluentd-daemonset.yaml');
    const result = await engine.ingress.submit([...nodes.map((n) => cloudEvent('io.everynode.node.joined', n)), cloudEvent('io.everynode.daemonset.applied', ds)], { wait: true });
    expect(result.refused).toEqual([]);
    const commands = await eventually(async () => {
      const all = await commandsOf(engine!);
      return all.length >= 6 && all;
    }, 15_000, 'six create commands');
    expect(commands.map((c) => c.subject).sort()).toEqual(['master01', 'master02', 'master03', 'worker01', 'worker02', 'worker03']);
    expect(new Set(commands.map((c) => c.id)).size).toBe(6);
    const status = await eventually(async () => {
      const s = (await engine!.reader.getDaemonSet('kube-system', 'fluentd-elasticsearch'))?.status;
      return s?.currentNumberScheduled === 6 && s;
    });
    expect(status).toMatchObject({ desiredNumberScheduled: 6, currentNumberScheduled: 6, numberMisscheduled: 0 });
    const verified = await engine.history.verify();
    expect(verified.differences).toEqual([]);
    expect(verified).toMatchObject({ consistent: true });
  });

  it('refuses an invalid DaemonSet with the API server\'s message and keeps it in the dead-letter queue', async () => {
    engine = await testEngine('engine-refuse');
    const [ds] = fixture('fluentd-daemonset.yaml');
    const bad = { ...ds, spec: { ...(ds!.spec as object), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
    const result = await engine.ingress.submit([cloudEvent('io.everynode.daemonset.applied', bad)]);
    expect(result.accepted).toEqual([]);
    expect(result.refused[0]?.reason).toContain('spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero');
    expect(await engine.queues.deadLetter.count()).toBe(1);
    expect(await engine.reader.listDaemonSets()).toEqual([]);
  });

  it('snapshots periodically and, with retention on, trims the log behind them; what remains still replays', async () => {
    engine = await testEngine('engine-snapshot', { snapshotEveryMs: 200, snapshotMinEntries: 5, trimBehindSnapshots: true });
    const nodes = fixture('cluster-6-nodes.yaml');
    const [ds] = fixture('fluentd-daemonset.yaml');
    await engine.ingress.submit([...nodes.map((n) => cloudEvent('io.everynode.node.joined', n)), cloudEvent('io.everynode.daemonset.applied', ds)], { wait: true });
    const horizon = await eventually(async () => {
      const h = await engine!.store.logHorizon();
      return h > 0 && h;
    }, 15_000, 'a trimmed log');
    await engine.ingress.submit([cloudEvent('io.everynode.node.joined', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'late' } })], { wait: true });
    const remaining = await engine.history.readLog({ after: 0, limit: 1000 });
    expect(remaining.length).toBeGreaterThan(0);
    expect(remaining.every((e) => e.seq > horizon)).toBe(true);
    const verified = await engine.history.verify();
    expect(verified.differences).toEqual([]);
    expect(verified).toMatchObject({ consistent: true });
  });
});

