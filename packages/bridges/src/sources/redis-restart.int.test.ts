/** (d) A private Redis stopped and started again mid-stream: the source reconnects and carries on. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudEvent, destroyPrefix, type Engine, eventually, quietLogger, testEngine } from '../../../../test/support/cluster.ts';
import { asMessage } from '../inbound-contract.ts';
import { inboundHandler } from '../in-bridge.ts';
import { RedisStreamsSource } from './redis-streams.ts';
import { type PrivateServer, startPrivateServer } from '../../../../test/support/private-server.ts';

let server: PrivateServer;
let port: number;
let engine: Engine;

beforeAll(async () => {
  server = await startPrivateServer('redis-server', (port, dir) => ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--save', '']);
  port = server.port;
  engine = await testEngine('bridge-redis-restart');
});
afterAll(async () => {
  await server.remove();
  await engine.close();
  await destroyPrefix(engine.prefix);
});

describe('redis-streams source — server restart', () => {
  it('reconnects after the server comes back and consumes what is published then', async () => {
    const url = `redis://127.0.0.1:${port}`;
    const stream = 'restart-events';
    const source = new RedisStreamsSource({ url, stream, group: 'everynode', maxInFlight: 8, claimIdleMs: 500, blockMs: 200, logger: quietLogger });
    await source.start(inboundHandler(engine.ingress, { logger: quietLogger }));
    const producer = new Redis(url, { maxRetriesPerRequest: null });
    producer.on('error', () => undefined);
    try {
      const run = Date.now().toString(36);
      const events = Array.from({ length: 40 }, (_, i) => cloudEvent('io.everynode.node.joined', { metadata: { name: `r${i}` } }, { id: `restart-${i}-${run}`, source: 'bridge-test/redis-restart' }));
      const publish = async (from: number, to: number) => {
        for (const e of events.slice(from, to)) {
          const m = asMessage(e, 'binary');
          await producer.xadd(stream, '*', ...Object.entries(m.headers).flat(), 'data', Buffer.from(m.body));
        }
      };
      const nodeCount = (n: number) => async () => (await engine.reader.listNodes()).length >= n;
      await publish(0, 20);
      await eventually(nodeCount(20), 15_000, 'the first 20 nodes');
      expect(source.connected()).toBe(true);

      await server.stop();
      await eventually(async () => !source.connected(), 10_000, 'the source to notice the server is gone');
      await server.start();
      await eventually(async () => source.connected(), 20_000, 'the source to reconnect');
      await publish(20, 40);
      await eventually(nodeCount(40), 25_000, 'the 20 nodes published after the restart');
      expect((await engine.reader.listNodes()).map((n) => n.metadata.name).sort()).toEqual(events.map((_, i) => `r${i}`).sort());
      expect(source.connected()).toBe(true);
    } finally {
      producer.disconnect();
      await source.close();
    }
  }, 60_000);
});
