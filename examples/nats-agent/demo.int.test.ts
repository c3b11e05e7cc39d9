/**
 * The seed's demo over NATS only: nodes and the DaemonSet come in on NATS
 * subjects through an inbound bridge, pod commands go out on NATS through
 * an outbound bridge, and the NATS-only agent carries them out and reports
 * back on NATS. No BullMQ agent runs: every pod Running is the NATS agent's
 * doing.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, startBridges } from '@everynode/bridges';
import { destroyPrefix, eventually, quietLogger, testEngine } from '../../test/support/cluster.ts';
import { type NatsAgent, startNatsAgent } from './agent.ts';
import { bridgesYaml, overNats, publishSeed } from './over-nats.ts';

const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the seed over NATS, with the NATS-only agent', () => {
  it('nodes join on a subject and the fluentd DaemonSet reaches 6 6 6 6 6, each pod Running on its own node', async () => {
    const tag = `test-${process.pid}-${Date.now().toString(36)}`;
    const names = overNats(tag);
    const engine = await testEngine('nats-demo');
    cleanups.push(async () => {
      await engine.close();
      await destroyPrefix(engine.prefix);
    });
    const nc: NatsConnection = await connect({ servers });
    cleanups.push(async () => {
      const jsm = await jetstreamManager(nc);
      for (const stream of [names.inStream, names.commandsStream]) await jsm.streams.delete(stream).catch(() => false);
      await nc.close();
    });

    const bridges = await startBridges(parseConfig(bridgesYaml(servers, names)), engine, quietLogger);
    cleanups.push(() => Promise.all(bridges.map((b) => b.close())));
    const agent: NatsAgent = await startNatsAgent({ servers, commands: { stream: names.commandsStream, subject: names.commandsSubject }, eventsSubject: names.podsSubject, durable: 'agent', startDelayMs: 20 });
    cleanups.push(() => agent.close());

    await publishSeed(nc, names, tag);

    const status = await eventually(async () => {
      const s = (await engine.reader.getDaemonSet('kube-system', 'fluentd-elasticsearch'))?.status;
      return s?.numberAvailable === 6 && s;
    }, 30_000, 'fluentd-elasticsearch 6 available');
    expect(status).toMatchObject({ desiredNumberScheduled: 6, currentNumberScheduled: 6, numberReady: 6, updatedNumberScheduled: 6, numberAvailable: 6 });

    const pods = (await engine.reader.listPods('kube-system')).filter((p) => p.metadata.name?.startsWith('fluentd-elasticsearch'));
    expect(pods).toHaveLength(6);
    expect(pods.map((p) => p.status?.phase)).toEqual(Array(6).fill('Running'));
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(6);
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual((await engine.reader.listNodes()).map((n) => n.metadata.name).sort());
    // The NATS agent carried out the six creates; nothing else could have.
    expect(agent.executed).toBe(6);
  });
});
