/**
 * The bridge process end to end: config from the environment, a Redis stream
 * into the engine, its health endpoint naming a bridge whose Redis is down,
 * SIGTERM closes it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openRedis } from '@everynode/engine';
import { afterAll, describe, expect, it } from 'vitest';
import { cloudEvent, destroyPrefix, type Engine, eventually, redisUrl, testEngine } from '../../../test/support/cluster.ts';
import { type PrivateServer, startPrivateServer } from '../../../test/support/private-server.ts';
import { freePort } from '../../../test/support/random.ts';

const entry = fileURLToPath(new URL('../dist/main.mjs', import.meta.url));
let engine: Engine | undefined;
let child: ChildProcess | undefined;
let sideRedis: PrivateServer | undefined;
const producer = openRedis(redisUrl);
const stream = `test-bridge-service-${process.pid}-${Date.now().toString(36)}`;

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await producer.del(stream);
  await producer.quit();
  await sideRedis?.remove();
  if (engine) {
    await engine.close();
    await destroyPrefix(engine.prefix);
  }
});

describe('services/bridge', () => {
  it('starts the configured bridges, brings events into the log, names a bridge that is down in /readyz, and exits 0 on SIGTERM', async () => {
    engine = await testEngine('bridge-service');
    sideRedis = await startPrivateServer('redis-server', (port, dir) => ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '']);
    const config = `bridges:
  - { name: nodes, kind: redis-streams, url: "${redisUrl}", stream: ${stream}, group: svc, types: [io.everynode.node.joined] }
  - { name: side, kind: redis-streams, url: "redis://127.0.0.1:${sideRedis.port}", stream: side, ackWaitMs: 1000 }
`;
    const healthPort = await freePort();
    child = spawn(process.execPath, [entry], {
      env: { ...process.env, EVERYNODE_BRIDGES: config, REDIS_URL: redisUrl, EVERYNODE_PREFIX: engine.prefix, LOG_LEVEL: 'info', EVERYNODE_BRIDGE_HEALTH_PORT: String(healthPort) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    await eventually(async () => output.includes('health endpoint listening'), 20_000, 'the bridges to start');
    const probe = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${healthPort}${path}`);
      return { status: res.status, body: await res.text() };
    };
    expect(await probe('/healthz')).toEqual({ status: 200, body: 'ok' });
    expect(await probe('/readyz')).toEqual({ status: 200, body: 'ok' });
    expect(await probe('/readyz?verbose')).toEqual({ status: 200, body: '[+]engine ok\n[+]bridge/nodes ok\n[+]bridge/side ok\nreadyz check passed\n' });
    await sideRedis.stop();
    expect(await eventually(async () => {
      const answer = await probe('/readyz');
      return answer.status === 503 && answer;
    }, 15_000, '/readyz to fail')).toEqual({ status: 503, body: '[+]engine ok\n[+]bridge/nodes ok\n[-]bridge/side failed: not connected to its bus\nreadyz check failed\n' });
    await sideRedis.start();
    await eventually(async () => (await probe('/readyz')).status === 200, 20_000, '/readyz to pass again');
    const event = cloudEvent('io.everynode.node.joined', { metadata: { name: 'svc-node' } }, { source: 'bridge-test/service' });
    const skipped = cloudEvent('io.everynode.node.removed', { metadata: { name: 'svc-node' } }, { source: 'bridge-test/service', time: Date.now() + 1000 });
    await producer.xadd(stream, '*', 'content-type', 'application/cloudevents+json', 'data', JSON.stringify(event));
    await producer.xadd(stream, '*', 'content-type', 'application/cloudevents+json', 'data', JSON.stringify(skipped));
    await eventually(async () => (await engine!.reader.getNode('svc-node')) !== undefined, 15_000, 'the node from the stream');
    await eventually(async () => (await producer.xpending(stream, 'svc'))[0] === 0, 10_000, 'both entries acknowledged');
    expect(await engine.reader.getNode('svc-node')).toBeDefined(); // the removal was filtered out by type
    const exit = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 60_000);
});
