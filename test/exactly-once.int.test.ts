/**
 * Exactly one log entry per (source, id), whatever the batching and the
 * concurrency (issue 13): a property test against a real Redis. Each run
 * draws a few identities — sources and ids with `/`, `:` and `%` in them,
 * so that a job id or a dedupe key that runs source and id together would
 * make two events one — and delivers copies of their events at once along
 * every way in: `ingress.submit` calls on two engines (each its own pending
 * batch), HTTP POSTs (structured and batch) to a listening server, and
 * jobs a producer adds to the `events` queue itself; both engines run
 * workers. Then every identity delivered is in the log exactly once.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '@everynode/engine/internal';
import { buildServer } from '@everynode/server';
import type { Engine } from './support/cluster.ts';
import { destroyPrefix, eventually, quietLogger, redisUrl, testEngine } from './support/cluster.ts';

let first: Engine;
let second: Engine;
let server: FastifyInstance;
let url: string;

beforeAll(async () => {
  first = await testEngine('once', { eventConcurrency: 4 });
  // Another process's engine on the same prefix: its own ingress (its own batches) and its own workers.
  second = await startEngine({ redisUrl, prefix: first.prefix, logger: quietLogger, eventConcurrency: 4, sweepEveryMs: 1000 });
  server = buildServer(second);
  url = await server.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server.close();
  await second.close();
  await first.close();
  await destroyPrefix(first.prefix);
});

/** Parts that collide when joined carelessly: `a/b` + `c` and `a` + `b/c`; `%2F` and `/` once escaped. */
const sources = ['a', 'a/b', 'a%2Fb', 'x:y', 'agent/worker01'] as const;
const ids = ['c', 'b/c', '1', '%3A', ':', 'b%2Fc'] as const;

const Via = ['first-ingress', 'second-ingress', 'http-batch', 'http-structured', 'queue'] as const;
type Via = (typeof Via)[number];

interface Delivery {
  readonly via: Via;
  /** Indexes into the run's identities: repeats are copies of one event. */
  readonly picks: readonly number[];
}

const identitiesArb = fc.uniqueArray(fc.record({ source: fc.constantFrom(...sources), id: fc.constantFrom(...ids) }), {
  minLength: 1,
  maxLength: 6,
  selector: (x) => `${x.source}\n${x.id}`,
});
const runArb = identitiesArb.chain((identities) =>
  fc.record({
    identities: fc.constant(identities),
    deliveries: fc.array(
      fc.record({ via: fc.constantFrom(...Via), picks: fc.array(fc.nat(identities.length - 1), { minLength: 1, maxLength: 6 }) }),
      { minLength: 1, maxLength: 8 },
    ),
  }),
);

let run = 0;

/** One event per identity: a node joining, its source made unique to the run. */
function eventsOf(identities: readonly { source: string; id: string }[], tag: string) {
  return identities.map(({ source, id }, k) => ({
    specversion: '1.0',
    id,
    source: `${tag}/${source}`,
    type: 'io.everynode.node.joined',
    time: new Date(Date.parse('2026-05-01T00:00:00Z') + k).toISOString(),
    data: { apiVersion: 'v1', kind: 'Node', metadata: { name: `${tag}-n${k}` } },
  }));
}

async function postJson(body: unknown, contentType: string): Promise<void> {
  const res = await fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': contentType }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(202);
}

/** Deliver `events` one way; resolves once they are in the log (the queue's: once added). */
async function deliver(via: Via, events: readonly object[]): Promise<void> {
  switch (via) {
    case 'first-ingress':
    case 'second-ingress': {
      const result = await (via === 'first-ingress' ? first : second).ingress.submit(events, { wait: true });
      expect(result.refused).toEqual([]);
      return;
    }
    case 'http-batch':
      return postJson(events, 'application/cloudevents-batch+json');
    case 'http-structured':
      await Promise.all(events.map((event) => postJson(event, 'application/cloudevents+json')));
      return;
    case 'queue':
      // A producer's own jobs, one event each and no job id: only the log's dedupe keeps copies out.
      await first.queues.events.addBulk(events.map((data) => ({ name: 'event', data })));
      return;
    default: {
      const unknown: never = via;
      throw new Error(`unknown way in ${String(unknown)}`);
    }
  }
}

/** How many log entries after seq `after` each (source, id) of the run has. */
async function entriesByIdentity(tag: string, after: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let page = await first.history.readLog({ after, limit: 1000 }); page.length > 0; page = await first.history.readLog({ after: page.at(-1)?.seq, limit: 1000 })) {
    for (const entry of page) {
      if (entry.kind !== 'event' || !entry.event.source.startsWith(`${tag}/`)) continue;
      const key = `${entry.event.source}\n${entry.event.id}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

describe('exactly one log entry per (source, id)', () => {
  it('whatever the batching and concurrency: two engines, HTTP, the queue, copies in one batch and across batches', async () => {
    await fc.assert(
      fc.asyncProperty(runArb, async ({ identities, deliveries }) => {
        const tag = `r${++run}`;
        const events = eventsOf(identities, tag);
        const after = await first.history.lastSeq();
        await Promise.all(deliveries.map((d: Delivery) => deliver(d.via, d.picks.map((i) => events[i] as object))));
        const delivered = new Set(deliveries.flatMap((d) => d.picks.map((i) => `${events[i]?.source}\n${events[i]?.id}`)));
        // Queue jobs are not waited for: poll until every delivered identity is in.
        const counts = await eventually(async () => {
          const now = await entriesByIdentity(tag, after);
          return [...delivered].every((key) => now.has(key)) && now;
        }, 15_000, `the run's ${delivered.size} events in the log`);
        // Late copies still in the queue must not add a second entry: wait for it to drain.
        await eventually(async () => (await first.ingress.backlog()) === 0 && (await first.queues.events.getActiveCount()) === 0, 15_000, 'the events queue to drain');
        const settled = await entriesByIdentity(tag, after);
        expect(Object.fromEntries(settled)).toEqual(Object.fromEntries([...delivered].map((key) => [key, 1])));
        expect(counts.size).toBe(delivered.size);
      }),
      {
        numRuns: 100,
        // Each identity of a colliding pair alone in its own engine's batch: one job each, with the event's job id.
        examples: [
          [
            {
              identities: [
                { source: 'a/b', id: 'c' },
                { source: 'a', id: 'b/c' },
              ],
              deliveries: [
                { via: 'first-ingress', picks: [0] },
                { via: 'second-ingress', picks: [1] },
              ],
            },
          ],
        ],
      },
    );
  }, 300_000);
});
