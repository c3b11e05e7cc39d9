/** (d) A private JetStream server stopped and started again mid-stream: the source reconnects and carries on. */
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudEvent, destroyPrefix, type Engine, eventually, quietLogger, testEngine } from '../../../../test/support/cluster.ts';
import { asMessage } from '../inbound-contract.ts';
import { inboundHandler } from '../in-bridge.ts';
import { NatsSource } from './nats.ts';
import { type PrivateServer, startPrivateServer } from '../../../../test/support/private-server.ts';

let server: PrivateServer;
let port: number;
let engine: Engine;

beforeAll(async () => {
  server = await startPrivateServer('nats-server', (port, dir) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir]);
  port = server.port;
  engine = await testEngine('bridge-nats-restart');
});
afterAll(async () => {
  await server.remove();
  await engine.close();
  await destroyPrefix(engine.prefix);
});

describe('nats source — server restart', () => {
  it('reconnects after the server comes back and consumes what is published then', async () => {
    const servers = `nats://127.0.0.1:${port}`;
    const ctx = { stream: 'RESTART', subject: 'restart.events', durable: 'bridge' };
    const source = new NatsSource({ servers, ...ctx, maxInFlight: 8, redeliveryMs: 200, ackWaitMs: 2000, logger: quietLogger });
    await source.start(inboundHandler(engine.ingress, { logger: quietLogger }));
    const producer = await connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    try {
      const run = Date.now().toString(36);
      const events = Array.from({ length: 40 }, (_, i) => cloudEvent('io.everynode.node.joined', { metadata: { name: `r${i}` } }, { id: `restart-${i}-${run}`, source: 'bridge-test/nats-restart' }));
      const publish = async (from: number, to: number) => {
        for (const e of events.slice(from, to)) {
          const m = asMessage(e, 'binary');
          const h = natsHeaders();
          for (const [k, v] of Object.entries(m.headers)) h.set(k, v);
          // As a producer does: JetStream can time out a publish while it recovers its streams after the
          // restart (the connection already back), so retry; the message id lets JetStream drop a repeat.
          for (let attempt = 1; ; attempt++) {
            try {
              await jetstream(producer).publish(ctx.subject, m.body, { headers: h, msgID: e.id, timeout: 2000 });
              break;
            } catch (error) {
              if (attempt >= 10) throw error;
              await new Promise((resolve) => setTimeout(resolve, 250));
            }
          }
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
      await producer.close();
      await source.close();
    }
  }, 60_000);
});
