import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { EventIngress, SubmitResult } from '@everynode/engine';
import { inboundHandler } from './in-bridge.ts';
import type { InboundMessage } from './source.ts';

const origin = { bus: 'nats', subject: 'cluster.events', offset: '7' };
const quiet = pino({ level: 'silent' });
const event = { specversion: '1.0', id: 'e1', source: 's', type: 'io.everynode.node.joined', data: { metadata: { name: 'n0' } } };
const structured = (e: unknown, body = JSON.stringify(e)): InboundMessage => ({ body: new TextEncoder().encode(body), headers: { 'content-type': 'application/cloudevents+json' }, origin });

function fakeIngress(submitImpl?: () => Promise<SubmitResult>) {
  const calls = { submit: [] as { events: readonly unknown[]; options: unknown }[], park: [] as { message: unknown; reason: string; origin: unknown }[] };
  const ingress: Pick<EventIngress, 'submit' | 'park' | 'backlog'> = {
    backlog: async () => 0,
    submit: async (events, options) => {
      calls.submit.push({ events, options });
      return submitImpl ? submitImpl() : { accepted: [{ id: 'e1', source: 's' }], refused: [] };
    },
    park: async (message, reason, o) => {
      calls.park.push({ message, reason, origin: o });
    },
  };
  return { ingress, calls };
}

describe('inboundHandler', () => {
  it('submits a decoded event with wait and its origin', async () => {
    const { ingress, calls } = fakeIngress();
    const handler = inboundHandler(ingress, { logger: quiet });
    await handler(structured(event));
    expect(calls.submit).toEqual([{ events: [event], options: { wait: true, origin } }]);
    expect(handler.counts).toMatchObject({ accepted: 1, parked: 0 });
  });

  it('parks what is no event with the body as text and the reason, without submitting', async () => {
    const { ingress, calls } = fakeIngress();
    const handler = inboundHandler(ingress, { logger: quiet });
    await handler(structured(undefined, '{"specversion": '));
    expect(calls.submit).toEqual([]);
    expect(calls.park).toHaveLength(1);
    expect(calls.park[0]).toMatchObject({ message: '{"specversion": ', origin });
    expect(calls.park[0]?.reason).toMatch(/^body: not a JSON document/);
    await handler({ ...structured(undefined), body: new Uint8Array([0xff, 0x00]) });
    expect(calls.park[1]).toMatchObject({ message: 'base64:/wA=', reason: 'body: not valid UTF-8' });
  });

  it('skips (and so acknowledges) a type it is not configured for', async () => {
    const { ingress, calls } = fakeIngress();
    const handler = inboundHandler(ingress, { logger: quiet, types: ['io.everynode.daemonset.applied'] });
    await handler(structured(event));
    expect(calls.submit).toEqual([]);
    expect(handler.counts.skipped).toBe(1);
  });

  it('counts a refusal (the ingress parks it) and resolves', async () => {
    const { ingress } = fakeIngress(async () => ({ accepted: [], refused: [{ index: 0, id: 'e1', reason: 'data: bad' }] }));
    const handler = inboundHandler(ingress, { logger: quiet });
    await handler(structured(event));
    expect(handler.counts).toMatchObject({ refused: 1, accepted: 0 });
  });

  it('rejects when the engine cannot take the event, so the bus delivers it again', async () => {
    const { ingress } = fakeIngress(async () => {
      throw new Error('timed out after 10000 ms waiting for 1 event(s) to reach the log');
    });
    const handler = inboundHandler(ingress, { logger: quiet });
    await expect(handler(structured(event))).rejects.toThrow(/timed out/);
    expect(handler.counts.failed).toBe(1);
  });
});

describe('inboundHandler — order per object', () => {
  it("submits one object's events one after another in the order handed over, other objects' side by side, and goes on past a failure", async () => {
    const started: string[] = [];
    const finished: string[] = [];
    const ingress: Pick<EventIngress, 'submit' | 'park' | 'backlog'> = {
      backlog: async () => 0,
      park: async () => {},
      submit: async (events) => {
        const { id } = events[0] as { id: string };
        started.push(id);
        // Earlier ones slower: handled side by side, later ones would overtake.
        await new Promise((r) => setTimeout(r, id === 'a1' ? 60 : id === 'a2' ? 30 : 5));
        finished.push(id);
        if (id === 'a2') throw new Error('engine unreachable (injected)');
        return { accepted: [{ id, source: 's' }], refused: [] };
      },
    };
    const handler = inboundHandler(ingress, { logger: quiet });
    const about = (id: string, name: string, extra: object = {}) => structured({ ...event, id, data: { metadata: { name } }, ...extra });
    const results = await Promise.allSettled([
      handler(about('a1', 'n0')),
      handler(about('a2', 'n0')),
      handler(about('b1', 'n1')),
      handler(about('a3', 'n0')),
      handler(about('k1', 'x', { partitionkey: 'n0-key' })),
      handler(about('k2', 'y', { partitionkey: 'n0-key' })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    // n0: a1, a2 (failed), a3 — each started only after the one before finished.
    const n0 = started.filter((id) => id.startsWith('a'));
    expect(n0).toEqual(['a1', 'a2', 'a3']);
    expect(started.indexOf('a2')).toBeGreaterThan(started.indexOf('b1'));
    expect(finished.indexOf('a1')).toBeLessThan(started.indexOf('a2'));
    expect(finished.indexOf('a2')).toBeLessThan(started.indexOf('a3'));
    // Another object, and a partition key, do not wait for n0.
    expect(started.slice(0, 3).sort()).toEqual(['a1', 'b1', 'k1']);
    expect(finished.indexOf('k1')).toBeLessThan(started.indexOf('k2'));
  });
});
