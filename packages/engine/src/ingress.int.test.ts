/** The ingress port's dead letters: a refused event and a parked message keep where they came from. */
import { openRedis } from './redis-client.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { destroyPrefix, type Engine, redisUrl, testEngine } from '../../../test/support/cluster.ts';

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

describe('the dead-letter queue, bounded', () => {
  const bad = (i: number, extra: Record<string, unknown> = {}) => ({ specversion: '1.0', id: `bad-${i}`, source: 'test', type: 'io.everynode.node.joined', ...extra });

  it('keeps at most maxCount letters, dropping the oldest and counting each drop', async () => {
    const bounded = await testEngine('dlq-count', { workers: false, deadLetters: { maxCount: 5 } });
    try {
      for (let i = 0; i < 8; i++) await bounded.ingress.submit([bad(i)]);
      await bounded.ingress.park('not json', 'body: not a JSON document', { bus: 'mqtt', subject: 'nodes' });
      const page = await bounded.admin.deadLetters.list();
      expect(page.total).toBe(5);
      expect(page.items.map((l) => (l.kind === 'parked' ? l.event : (l.event as { id: string }).id))).toEqual(['bad-4', 'bad-5', 'bad-6', 'bad-7', 'not json']);
      expect(await bounded.metrics.registry.getSingleMetricAsString('everynode_dead_letters_dropped_total')).toMatch(/^everynode_dead_letters_dropped_total 4$/m);
    } finally {
      await bounded.close();
      await destroyPrefix(bounded.prefix);
    }
  });

  it('keeps the first 64 KiB of a big refused event as text with its size; such a letter is shown, not replayed, and stays', async () => {
    const huge = bad(1, { data: { filler: 'x'.repeat(500_000) } });
    const result = await engine.ingress.submit([huge]);
    expect(result.refused).toHaveLength(1);
    const page = await engine.admin.deadLetters.list({ limit: 1000 });
    const letter = page.items.find((l) => typeof l.event === 'string' && l.event.includes('"bad-1"'));
    expect(letter?.keptAsText).toEqual({ bytes: JSON.stringify(huge).length, kept: 64 * 1024 });
    expect((letter?.event as string).length).toBe(64 * 1024);
    const replay = await engine.admin.deadLetters.replay(letter?.id ?? '');
    expect(replay).toEqual({ accepted: [], refused: [{ index: 0, reason: expect.stringMatching(/keeps only the first 65536 of the message's \d+ bytes, as text: it cannot be replayed/) }] });
    expect(await engine.admin.deadLetters.get(letter?.id ?? '')).toBeDefined();
    expect(await engine.admin.deadLetters.drop(letter?.id ?? '')).toBe(true);
  });

  it('keeps an event nested 10,000 deep (which JSON.stringify cannot write) as text, and the good event beside it is accepted', async () => {
    let deep: unknown = {};
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const good = { specversion: '1.0', id: 'good-beside-deep', source: 'test', type: 'io.everynode.node.joined', time: new Date().toISOString(), data: { metadata: { name: 'n-deep' } } };
    const result = await engine.ingress.submit([bad(2, { data: deep }), good]);
    expect(result.accepted).toEqual([{ id: 'good-beside-deep', source: 'test' }]);
    expect(result.refused).toEqual([{ index: 0, id: 'bad-2', source: 'test', reason: expect.stringMatching(/^data\.a\.a.*: nests deeper than 64 levels/) }]);
    const letters = (await engine.admin.deadLetters.list({ limit: 1000 })).items.filter((l) => l.keptAsText !== undefined && (l.event as string).startsWith('{"specversion":"1.0","id":"bad-2"'));
    expect(letters).toHaveLength(1);
  });
});

describe('a handled events job', () => {
  it('is not kept (its events are in the log), and the same event sent again once it is gone is still logged once', async () => {
    const worker = await testEngine('events-retention');
    try {
      const event = { specversion: '1.0', id: 'once', source: 'test', type: 'io.everynode.node.joined', time: new Date().toISOString(), data: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } } };
      const drained = async () => {
        for (let i = 0; i < 250; i++) {
          const counts = await worker.queues.events.getJobCounts('waiting', 'active', 'completed', 'failed');
          if (Object.values(counts).every((count) => count === 0)) return counts;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return worker.queues.events.getJobCounts('waiting', 'active', 'completed', 'failed');
      };
      await worker.ingress.submit([event], { wait: true });
      expect(await drained()).toEqual({ waiting: 0, active: 0, completed: 0, failed: 0 });
      // One event keeps its id as the job id: with the first job gone, this one is new to BullMQ and handled again.
      await worker.ingress.submit([event]);
      expect(await drained()).toEqual({ waiting: 0, active: 0, completed: 0, failed: 0 });
      const entries = (await worker.history.readLog()).filter((e) => e.kind === 'event');
      expect(entries.map((e) => e.kind === 'event' && e.event.id)).toEqual(['once']);
    } finally {
      await worker.close();
      await destroyPrefix(worker.prefix);
    }
  });
});

describe('metrics', () => {
  it('everynode_decisions_total counts the decisions passes record, by type', async () => {
    const worker = await testEngine('decisions-metric');
    try {
      const time = new Date().toISOString();
      const node = (name: string) => ({ specversion: '1.0', id: `join-${name}`, source: 'test', type: 'io.everynode.node.joined', time, data: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } } });
      const daemonSet = {
        specversion: '1.0', id: 'ds', source: 'test', type: 'io.everynode.daemonset.applied', time,
        data: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:v1' }] } } } },
      };
      await worker.ingress.submit([node('n1'), node('n2'), node('n3'), daemonSet], { wait: true });
      const metric = () => worker.metrics.registry.getSingleMetricAsString('everynode_decisions_total');
      await expect.poll(metric, { timeout: 15_000 }).toMatch(/^everynode_decisions_total\{type="PodCreateRequested"\} 3$/m);
    } finally {
      await worker.close();
      await destroyPrefix(worker.prefix);
    }
  });
});

describe('an events job that fails for good', () => {
  it('parks each of its events with the last error; replayed once the cause is gone, each is logged once', async () => {
    const worker = await testEngine('failed-job');
    const redis = openRedis(redisUrl);
    try {
      // A fault no retry can get past: the dedupe hash is a string, so every commit fails with WRONGTYPE.
      await redis.set(`{${worker.prefix}}:seen`, 'not a hash');
      const time = new Date().toISOString();
      const events = ['n1', 'n2'].map((name) => ({ specversion: '1.0', id: `join-${name}`, source: 'test', type: 'io.everynode.node.joined', time, data: { apiVersion: 'v1', kind: 'Node', metadata: { name } } }));
      await worker.queues.events.add('events', events, { attempts: 2, backoff: { type: 'fixed', delay: 10 } });
      const letters = await expect.poll(async () => (await worker.admin.deadLetters.list()).items, { timeout: 15_000 }).toHaveLength(2).then(async () => (await worker.admin.deadLetters.list()).items);
      for (const [i, letter] of letters.entries()) {
        expect(letter).toMatchObject({ kind: 'parked', event: events[i] });
        expect(letter.reason).toMatch(/^not accepted after 2 attempt\(s\): .*WRONGTYPE/);
      }
      await redis.del(`{${worker.prefix}}:seen`);
      for (const letter of letters) expect((await worker.admin.deadLetters.replay(letter.id))?.accepted).toHaveLength(1);
      await expect.poll(async () => (await worker.history.readLog()).filter((e) => e.kind === 'event').map((e) => e.kind === 'event' && e.event.id), { timeout: 15_000 }).toEqual(['join-n1', 'join-n2']);
      expect((await worker.admin.deadLetters.list()).total).toBe(0);
    } finally {
      await redis.quit();
      await worker.close();
      await destroyPrefix(worker.prefix);
    }
  });
});

describe('submits waiting for the log', () => {
  const join = (id: string) => ({ specversion: '1.0', id, source: 'test', type: 'io.everynode.node.joined', time: new Date().toISOString(), data: { apiVersion: 'v1', kind: 'Node', metadata: { name: id } } });

  it('share one watch of it: 200 at once all resolve, with far fewer reads of the seqs than submits', async () => {
    const worker = await testEngine('arrivals');
    try {
      const reads = vi.spyOn(worker.store, 'seqsOf');
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => worker.ingress.submit([join(`n${i}`)], { wait: true })));
      expect(results.every((r) => r.accepted.length === 1 && r.refused.length === 0)).toBe(true);
      // Each submit polling on its own read the seqs at least once each (every 5 ms while it waited).
      expect(reads.mock.calls.length).toBeLessThan(50);
      expect(await worker.store.seqsOf(results.flatMap((r) => r.accepted))).not.toContain(undefined);
    } finally {
      await worker.close();
      await destroyPrefix(worker.prefix);
    }
  });

  it('an event already in the log is answered at once, though the log does not grow', async () => {
    const worker = await testEngine('arrivals-again');
    try {
      await worker.ingress.submit([join('again')], { wait: true });
      const last = await worker.store.lastSeq();
      const started = Date.now();
      const again = await worker.ingress.submit([join('again')], { wait: true, timeoutMs: 5000 });
      expect(again.accepted).toEqual([{ id: 'again', source: 'test' }]);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await worker.store.lastSeq()).toBe(last);
    } finally {
      await worker.close();
      await destroyPrefix(worker.prefix);
    }
  });

  it('times out, naming how many events are missing, when they never reach the log (no workers); a later submit is not held up', async () => {
    const reads = vi.spyOn(engine.store, 'seqsOf');
    const started = Date.now();
    await expect(engine.ingress.submit([join('never-1'), join('never-2')], { wait: true, timeoutMs: 300 })).rejects.toThrow(/^timed out after 300 ms waiting for 2 event\(s\) to reach the log$/);
    expect(Date.now() - started).toBeLessThan(2000);
    // Asleep on the log between reads, not polling: a handful of reads in 300 ms (a 5 ms poll made ~60).
    expect(reads.mock.calls.length).toBeLessThan(10);
    reads.mockRestore();
    await expect(engine.ingress.submit([join('never-3')], { wait: true, timeoutMs: 100 })).rejects.toThrow(/waiting for 1 event\(s\)/);
  });
});
