/**
 * The NATS sink against real JetStream: (i) the bus-side dedupe by
 * `Nats-Msg-Id`; refusals for good and failures that pass told apart; the
 * configuration (fields required, credentials from the environment, no
 * password in the logs); a server not up yet; (ii) a private server stopped
 * and started again mid-stream — the bridge retries and every command is
 * stored, once. (Order: one node's commands are never in flight together, so
 * they keep log order — the outbound contract checks that; a window's
 * commands for different nodes are published side by side, and JetStream
 * stores them as they arrive.)
 */
import { Writable } from 'node:stream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodCommand } from '@everynode/api';
import { cloudEvent, destroyPrefix, eventually, fixture, quietLogger, testEngine } from '../../../../test/support/cluster.ts';
import { storedMessages } from '../../../../test/support/jetstream.ts';
import { type PrivateServer, startPrivateServer } from '../../../../test/support/private-server.ts';
import { ConfigError, parseConfig } from '../config.ts';
import { PermanentDeliveryError, startOutboundBridge } from '../outbound.ts';
import { sinkFor } from '../run.ts';
import { natsSink } from './nats.ts';

const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const run = `${process.pid}_${Date.now().toString(36)}`;
let nc: NatsConnection;
const streams: string[] = [];
beforeAll(async () => {
  nc = await connect({ servers });
});
afterAll(async () => {
  const jsm = await jetstreamManager(nc);
  for (const stream of streams) await jsm.streams.delete(stream).catch(() => false);
  await nc.close();
});

/** A fresh stream and subject name; the stream deleted after the file's tests. */
function names(test: string) {
  const stream = `TEST_NATS_SINK_${test}_${run}`;
  streams.push(stream);
  return { stream, subject: `test.nats-sink.${test}.${run}` };
}

function createCommand(id: string, padding = 0): PodCommand {
  return {
    specversion: '1.0',
    id,
    source: 'everynode/test',
    type: 'io.everynode.pod.create',
    subject: 'node-1',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: `pod-${id}`, annotations: { padding: 'x'.repeat(padding) } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
  } as PodCommand;
}

/** The `ce-id` of every message a stream holds, in stream order. */
const storedIds = async (conn: NatsConnection, stream: string) => (await storedMessages(conn, stream)).map((m) => m.header.get('ce-id'));

describe('nats sink', () => {
  it('(i) the same command published twice inside the duplicate window is stored once (PubAck duplicate)', async () => {
    const { stream, subject } = names('dedupe');
    const sink = natsSink({ servers, stream, subject, logger: quietLogger });
    try {
      const a = createCommand(`dedupe-a-${run}`);
      await sink.deliver(a); // creates the stream: it was missing
      await sink.deliver(a);
      await sink.deliver(createCommand(`dedupe-b-${run}`));
      await sink.deliver(a);
      expect(sink.duplicates).toBe(2);
      expect(await storedIds(nc, stream)).toEqual([a.id, `dedupe-b-${run}`]);
      const first = await (await jetstreamManager(nc)).streams.getMessage(stream, { seq: 1 });
      expect(first?.header.get('Nats-Msg-Id')).toBe(a.id);
      expect(first?.subject).toBe(subject);
    } finally {
      await sink.close();
    }
  });

  it('a message too large for the server or the stream is refused for good; a missing stream is a failure that passes', async () => {
    const { stream, subject } = names('refusals');
    const sink = natsSink({ servers, stream, subject, logger: quietLogger });
    try {
      const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
      await expect(sink.deliver(createCommand(`huge-${run}`, maxPayload + 1))).rejects.toBeInstanceOf(PermanentDeliveryError);

      const jsm = await jetstreamManager(nc);
      await jsm.streams.update(stream, { max_msg_size: 2048 });
      const refused = await sink.deliver(createCommand(`big-${run}`, 4096)).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(PermanentDeliveryError);
      expect((refused as Error).message).toMatch(/maximum/);

      await jsm.streams.delete(stream);
      const gone = await sink.deliver(createCommand(`after-delete-${run}`)).catch((e: unknown) => e);
      expect(gone).toBeInstanceOf(Error);
      expect(gone).not.toBeInstanceOf(PermanentDeliveryError);
      expect((gone as Error).message).toMatch(/no JetStream stream/);
      // The retry finds the stream missing and makes it again.
      await sink.deliver(createCommand(`after-delete-${run}`));
      expect(await storedIds(nc, stream)).toEqual([`after-delete-${run}`]);
    } finally {
      await sink.close();
    }
  });
});

/** A pino logger whose lines (JSON text) land in `lines`. */
function capturingLogger(lines: string[], level = 'warn') {
  return pino({ level }, new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) }));
}

describe('nats sink — configured by YAML', () => {
  it('an outbound nats bridge needs its stream and subject, named in the error', () => {
    const yaml = 'bridges:\n  - { name: out, kind: nats, direction: out, url: "nats://127.0.0.1:4222" }\n';
    const error = (() => {
      try {
        parseConfig(yaml);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['bridges[0].stream: required for a nats bridge', 'bridges[0].subject: required for a nats bridge']);
  });

  it('with a user and password from the environment: delivers to a server that demands them, and the password reaches no log', async () => {
    const password = `s3cret-${run}`;
    const server = await startPrivateServer('nats-server', (port, dir) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir, '--user', 'everynode', '--pass', password]);
    const lines: string[] = [];
    const [bridge] = parseConfig(
      `bridges:\n  - { name: out, kind: nats, direction: out, url: "nats://127.0.0.1:${server.port}", username: everynode, passwordEnv: NATS_PW, stream: AUTH, subject: auth.commands }\n`,
      { env: { NATS_PW: password } },
    );
    const sink = sinkFor(bridge!, 0, capturingLogger(lines, 'debug'));
    try {
      await expect(connect({ servers: `nats://127.0.0.1:${server.port}` })).rejects.toThrow(/authorization/i);
      expect(sink.kind).toBe('nats');
      expect(sink.target).toBe('auth.commands');
      await sink.deliver(createCommand(`auth-${run}`));
      await sink.deliver(createCommand(`auth-${run}`));
      const reader = await connect({ servers: `nats://127.0.0.1:${server.port}`, user: 'everynode', pass: password });
      expect(await storedIds(reader, 'AUTH')).toEqual([`auth-${run}`]);
      await reader.close();
      expect(lines.some((l) => l.includes('duplicate dropped'))).toBe(true);
      expect(lines.join('')).not.toContain(password);
    } finally {
      await sink.close();
      await server.remove();
    }
  });
});

describe('nats sink — server restart', () => {
  let server: PrivateServer;
  beforeAll(async () => {
    server = await startPrivateServer('nats-server', (port, dir) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir]);
  });
  afterAll(async () => {
    await server.remove();
  });

  it('a server not there (yet) is a failure that passes: delivered once it is up', async () => {
    const { stream, subject } = { stream: 'LATE', subject: 'late.commands' };
    await server.stop();
    const sink = natsSink({ servers: `nats://127.0.0.1:${server.port}`, stream, subject, timeoutMs: 1000, logger: quietLogger });
    try {
      const failed = await sink.deliver(createCommand(`late-${run}`)).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(Error);
      expect(failed).not.toBeInstanceOf(PermanentDeliveryError);
      expect((failed as Error).message).toMatch(/cannot connect/);
      await server.start();
      await sink.deliver(createCommand(`late-${run}`));
      const reader = await connect({ servers: `nats://127.0.0.1:${server.port}` });
      expect(await storedIds(reader, stream)).toEqual([`late-${run}`]);
      await reader.close();
    } finally {
      await sink.close();
    }
  });

  it('(ii) the server stopped and started again mid-stream: the bridge retries and every command is stored once', async () => {
    const privateServers = `nats://127.0.0.1:${server.port}`;
    const engine = await testEngine('nats-sink-restart');
    const lines: string[] = [];
    const logger = capturingLogger(lines);
    const { stream, subject } = { stream: 'RESTART', subject: 'restart.commands' };
    const sink = natsSink({ servers: privateServers, stream, subject, timeoutMs: 500, logger });
    const bridge = await startOutboundBridge({ name: 'nats-restart', history: engine.history, checkpoints: engine.admin.checkpoints, ingress: engine.ingress, sink, pollMs: 20, backoffMs: 50, maxBackoffMs: 500, logger });
    const reader = await connect({ servers: privateServers, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    try {
      const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
      const join = (from: number, to: number) => engine.ingress.submit(Array.from({ length: to - from }, (_, i) => cloudEvent('io.everynode.node.joined', node(`n${from + i}`))), { wait: true });
      const commands = async () => (await engine.history.readCommands({ after: 0, limit: 100_000 })).items.map((i) => i.command.id);
      await engine.ingress.submit([cloudEvent('io.everynode.daemonset.applied', fixture('fluentd-daemonset.yaml')[0])], { wait: true });
      await join(0, 20);
      await eventually(async () => (await commands()).length === 20, 20_000, '20 create commands');
      await eventually(async () => (await storedIds(reader, stream).catch(() => [])).length === 20, 20_000, 'the first 20 commands stored');

      await server.stop();
      await join(20, 40); // commands the bridge cannot deliver until the server is back
      await eventually(async () => lines.some((l) => l.includes('delivery failed: retrying')), 20_000, 'the bridge to retry');
      await server.start();

      const expected = await eventually(async () => {
        const ids = await commands();
        return ids.length === 40 && ids;
      }, 20_000, '40 create commands');
      await eventually(async () => (await storedIds(reader, stream).catch(() => [])).length >= 40, 30_000, 'all 40 commands stored');
      const stored = await storedIds(reader, stream);
      expect(new Set(stored).size).toBe(stored.length); // none twice
      expect([...stored].sort()).toEqual([...expected].sort());
      expect(bridge.delivered).toBeGreaterThanOrEqual(40);
    } finally {
      await reader.close();
      await bridge.close();
      await engine.close();
      await destroyPrefix(engine.prefix);
    }
  }, 90_000);
});
