/** The ingress port's dead letters: a refused event and a parked message keep where they came from. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyPrefix, type Engine, testEngine } from '../../../test/support/cluster.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine('ingress', { workers: false });
});
afterAll(async () => {
  await engine.close();
  await destroyPrefix(engine.prefix);
});

describe('ingress dead letters', () => {
  it('parks a refused event with its reason and origin, and a message that is no event at all', async () => {
    const origin = { bus: 'nats', subject: 'cluster.nodes', offset: '42' };
    const result = await engine.ingress.submit([{ specversion: '1.0', id: 'x', source: 's', type: 'io.everynode.node.joined' }], { origin });
    expect(result.refused).toHaveLength(1);
    await engine.ingress.park('not json {', 'body: not a JSON document', { bus: 'mqtt', subject: 'nodes/joined' });
    const jobs = await engine.queues.deadLetter.getJobs(['waiting', 'completed', 'failed', 'delayed'], 0, -1);
    const byName = new Map(jobs.map((j) => [j.name, j.data]));
    expect(byName.get('refused')).toMatchObject({ origin, event: { id: 'x' } });
    expect(byName.get('refused')?.reason).toMatch(/time|data/);
    expect(byName.get('parked')).toMatchObject({ event: 'not json {', reason: 'body: not a JSON document', origin: { bus: 'mqtt', subject: 'nodes/joined' } });
  });
});

describe('an event without time', () => {
  it('is accepted, stamped with its time of receipt, and the log records that it was stamped', async () => {
    const worker = await testEngine('stamp');
    try {
      const before = Date.now();
      const event = { specversion: '1.0', id: 'no-time', source: 'test', type: 'io.everynode.node.joined', data: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } } };
      const result = await worker.ingress.submit([event], { wait: true });
      expect(result.accepted).toEqual([{ id: 'no-time', source: 'test' }]);
      const [entry] = await worker.history.readLog();
      expect(entry?.kind === 'event' && entry.event).toMatchObject({ id: 'no-time', everynodestamped: true });
      const time = entry?.kind === 'event' ? Date.parse(entry.event.time) : Number.NaN;
      expect(time).toBeGreaterThanOrEqual(before);
      expect(time).toBeLessThanOrEqual(Date.now());
    } finally {
      await worker.close();
      await destroyPrefix(worker.prefix);
    }
  });
});

describe('two copies of one event in one job', () => {
  it('are logged once: two deliveries submitted together (as concurrent bridge handlers do) share a job', async () => {
    const worker = await testEngine('copies');
    try {
      const event = { specversion: '1.0', id: 'twice', source: 'test', type: 'io.everynode.node.joined', time: new Date().toISOString(), data: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } } };
      // Concurrent submissions within the linger share one job; so does one call with both.
      await Promise.all([worker.ingress.submit([event], { wait: true }), worker.ingress.submit([{ ...event, partitionkey: 'n1' }], { wait: true }), worker.ingress.submit([event, event], { wait: true })]);
      const entries = (await worker.history.readLog()).filter((e) => e.kind === 'event');
      expect(entries.map((e) => e.kind === 'event' && e.event.id)).toEqual(['twice']);
    } finally {
      await worker.close();
      await destroyPrefix(worker.prefix);
    }
  });
});
