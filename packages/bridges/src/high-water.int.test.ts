/**
 * Back-pressure against real Redis: a burst of 500 messages on a Redis
 * stream into an engine whose workers are not running. The inbound handler
 * pauses once the events queue is past its high-water mark, so the queue
 * stays bounded and the rest of the burst stays on the bus; once workers
 * run, everything drains into the log, each event once.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openRedis, startEngine } from '@everynode/engine';
import { cloudEvent, destroyPrefix, type Engine, eventually, quietLogger, redisUrl, testEngine } from '../../../test/support/cluster.ts';
import { inboundHandler } from './in-bridge.ts';
import { RedisStreamsSource } from './sources/redis-streams.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A logger whose lines the test reads. */
function capturingLogger() {
  const lines: { msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as { msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

/** The events queue's jobs not yet taken up, counted independently of the port under test. */
async function queued(engine: Engine): Promise<number> {
  const counts = await engine.queues.events.getJobCounts('wait', 'delayed', 'prioritized');
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

describe('inbound high-water mark', () => {
  it('a burst of 500 with highWaterMark 50 and no workers: the queue stays bounded, the rest waits on the bus, then all of it drains once', async () => {
    const highWaterMark = 50;
    const maxInFlight = 8;
    const engine = await testEngine('bridge-hwm', { workers: false });
    cleanups.push(async () => {
      await engine.close();
      await destroyPrefix(engine.prefix);
    });
    const redis = openRedis(redisUrl);
    const stream = `test-bridge-hwm-${process.pid}-${Date.now().toString(36)}`;
    cleanups.push(async () => {
      await redis.del(stream);
      await redis.quit();
    });
    const { logger, lines } = capturingLogger();
    const source = new RedisStreamsSource({ url: redisUrl, stream, group: 'hwm', maxInFlight, claimIdleMs: 300, blockMs: 100, logger: quietLogger });
    // A short wait for the log: with no workers every submit times out, and its message comes again.
    await source.start(inboundHandler(engine.ingress, { logger, highWaterMark, timeoutMs: 100 }));
    cleanups.push(() => source.close());

    const events = Array.from({ length: 500 }, (_, i) => cloudEvent('io.everynode.node.joined', { metadata: { name: `hwm-${i}` } }, { id: `hwm-${i}`, source: 'bridge-test/hwm' }));
    const pipeline = redis.pipeline();
    for (const e of events) pipeline.xadd(stream, '*', 'content-type', 'application/cloudevents+json', 'data', JSON.stringify(e));
    await pipeline.exec();

    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, await queued(engine));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await eventually(async () => lines.some((l) => l.msg.startsWith('paused')), 30_000, 'the bridge to pause');
    // Paused a while: the queue holds still, and what the bridge has not taken is on the bus, none of it acknowledged.
    await new Promise((r) => setTimeout(r, 1000));
    const [group] = (await redis.xinfo('GROUPS', stream)) as unknown[][];
    const info = Object.fromEntries(Array.from({ length: (group?.length ?? 0) / 2 }, (_, i) => [group?.[2 * i], group?.[2 * i + 1]])) as { pending: number; lag: number };
    expect(info.lag).toBeGreaterThan(0);
    expect(info.pending + info.lag).toBe(500);
    expect(await queued(engine)).toBeGreaterThan(highWaterMark);
    expect(await engine.history.lastSeq()).toBe(0);

    // Workers start (a second engine over the prefix): everything drains into the log, each event once.
    const workers = await startEngine({ redisUrl, prefix: engine.prefix, logger: quietLogger });
    cleanups.push(() => workers.close());
    const logged = await eventually(async () => {
      const all: string[] = [];
      for (let after = 0; ; ) {
        const page = await engine.history.readLog({ after, limit: 500 });
        if (page.length === 0) break;
        for (const entry of page) if (entry.kind === 'event') all.push(entry.event.id);
        after = page[page.length - 1]?.seq ?? after;
      }
      return all.length >= 500 && all;
    }, 60_000, 'the 500 events in the log');
    await eventually(async () => (await redis.xpending(stream, 'hwm'))[0] === 0, 15_000, 'every entry acknowledged');
    sampling = false;
    await sampler;

    expect(most).toBeGreaterThan(highWaterMark);
    expect(most).toBeLessThanOrEqual(highWaterMark + maxInFlight);
    expect(logged.sort()).toEqual(events.map((e) => e.id).sort());
    const transitions = lines.filter((l) => /^(paused|resumed)/.test(l.msg)).map((l) => l.msg.split(':')[0]);
    expect(transitions[0]).toBe('paused');
    expect(transitions).toContain('resumed');
    transitions.forEach((t, i) => expect(t).toBe(i % 2 === 0 ? 'paused' : 'resumed'));
  }, 90_000);
});
