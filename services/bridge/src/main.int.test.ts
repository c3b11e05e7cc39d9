/** The bridge process end to end: config from the environment, a Redis stream into the engine, SIGTERM closes it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { cloudEvent, destroyPrefix, type Engine, eventually, redisUrl, testEngine } from '../../../test/support/cluster.ts';

const entry = fileURLToPath(new URL('./main.ts', import.meta.url));
let engine: Engine | undefined;
let child: ChildProcess | undefined;
const producer = new Redis(redisUrl);
const stream = `test-bridge-service-${process.pid}-${Date.now().toString(36)}`;

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await producer.del(stream);
  await producer.quit();
  if (engine) {
    await engine.close();
    await destroyPrefix(engine.prefix);
  }
});

describe('services/bridge', () => {
  it('starts the configured bridge, brings events into the log, and exits 0 on SIGTERM', async () => {
    engine = await testEngine('bridge-service');
    const config = `bridges:\n  - { name: nodes, kind: redis-streams, url: "${redisUrl}", stream: ${stream}, group: svc, types: [io.everynode.node.joined] }\n`;
    child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env: { ...process.env, EVERYNODE_BRIDGES: config, REDIS_URL: redisUrl, EVERYNODE_PREFIX: engine.prefix, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    await eventually(async () => output.includes('bridge started'), 20_000, 'the bridge to start');
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
  }, 40_000);
});
