/**
 * Back-pressure on `POST /events`: past the high-water mark of event jobs
 * waiting for a worker, the API answers 429 with `Retry-After` and takes
 * nothing of the request; once workers bring the backlog down to half the
 * mark, it accepts again.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../test/support/cluster.ts';
import { cloudEvent, destroyPrefix, eventually, testEngine } from '../../../test/support/cluster.ts';
import { buildServer } from './server.ts';

let engine: Engine;
let workers: Engine | undefined;
let app: FastifyInstance;

beforeEach(async () => {
  // No workers: the queue only grows, until the test starts some.
  engine = await testEngine('back-pressure', { workers: false });
  app = buildServer({ ...engine, highWaterMark: 20 });
});
afterEach(async () => {
  await app.close();
  await workers?.close();
  await engine.close();
  await destroyPrefix(engine.prefix);
});

const join = (name: string) => cloudEvent('io.everynode.node.joined', { apiVersion: 'v1', kind: 'Node', metadata: { name } });
const post = (events: unknown[]) =>
  app.inject({ method: 'POST', url: '/events?wait=false', headers: { 'content-type': 'application/cloudevents-batch+json' }, payload: JSON.stringify(events) });

describe('POST /events past the high-water mark', () => {
  it('answers 429 with Retry-After and takes nothing, then accepts again once the backlog is down', async () => {
    // One event per job (each submitted after the last one's linger passed): 30 jobs wait.
    for (let i = 0; i < 30; i++) {
      await engine.ingress.submit([join(`n${i}`)]);
      await new Promise((r) => setTimeout(r, 15));
    }
    await eventually(async () => (await engine.ingress.backlog()) > 20, 10_000, 'a backlog past the mark');
    await new Promise((r) => setTimeout(r, 150)); // past the gauge's reading

    const refused = await post([join('late')]);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: 1 } });
    expect(refused.json().message).toMatch(/past the high-water mark of 20/);

    workers = await testEngine('back-pressure', { prefix: engine.prefix });
    await eventually(async () => (await engine.ingress.backlog()) <= 10, 20_000, 'the backlog down to half the mark');
    await new Promise((r) => setTimeout(r, 150));
    const accepted = await app.inject({ method: 'POST', url: '/events', headers: { 'content-type': 'application/cloudevents-batch+json' }, payload: JSON.stringify([join('late')]) });
    expect(accepted.statusCode, accepted.body).toBe(202);
    expect(await engine.reader.getNode('late')).toBeDefined();
    // The refused request took nothing: one entry for `late`, the one accepted.
    const entries = await engine.history.readLog({ limit: 1000 });
    expect(entries.filter((e) => e.kind === 'event' && (e.event.data as { metadata: { name: string } }).metadata.name === 'late')).toHaveLength(1);
  });
});
