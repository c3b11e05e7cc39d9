/**
 * Test support: an engine on its own prefix of the shared Redis (or the one
 * REDIS_URL names), the seed's fixtures as events, and polling helpers.
 * Every test gets a fresh prefix and deletes its keys afterwards.
 */
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import pino from 'pino';
import { parseAllDocuments } from 'yaml';
import { type Agent, startAgent } from '@everynode/agent';
import { type EngineInternals as Engine, type EngineOptions, openRedis, queuePrefix, startEngine, unregisterPrefix } from '@everynode/engine/internal';
import { scanKeys } from '@everynode/eventlog';

/** An engine as the tests hold it: its ports, and its store and queues in reach. */
export type { Engine };

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(name: string): string {
  return `test-${name}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

export const quietLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export async function testEngine(name: string, options: EngineOptions = {}): Promise<Engine> {
  return startEngine({ redisUrl, prefix: uniquePrefix(name), logger: quietLogger, sweepEveryMs: 1000, ...options });
}

/** The simulated agent for an engine: executes its commands, reads node annotations from its projection. */
export async function testAgent(engine: Engine, options: { defaultStartDelayMs?: number } = {}): Promise<Agent> {
  return startAgent({
    connection: redisUrl,
    prefix: engine.prefix,
    logger: quietLogger,
    defaultStartDelayMs: options.defaultStartDelayMs ?? 5,
    deleteDelayMs: 1,
    nodeAnnotations: async (name) => (await engine.reader.getNode(name))?.metadata.annotations,
    annotationsTtlMs: 50,
  });
}

/** Delete every key of a prefix (queues included: they share the hash tag). */
export async function destroyPrefix(prefix: string): Promise<void> {
  const redis = openRedis(redisUrl);
  // One hash tag, one slot: a batch is one UNLINK on a Redis Cluster too.
  for await (const keys of scanKeys(redis, `${queuePrefix(prefix)}:*`)) await redis.unlink(...keys);
  await unregisterPrefix(redis, prefix);
  await redis.quit();
}

let counter = 0;
/** A CloudEvent of `type` about `data`. */
export function cloudEvent(type: string, data: unknown, options: { id?: string; source?: string; time?: number } = {}) {
  return {
    specversion: '1.0',
    id: options.id ?? `evt-${process.pid}-${++counter}`,
    source: options.source ?? 'test',
    type,
    time: new Date(options.time ?? Date.now()).toISOString(),
    data,
  };
}

/** The objects of a fixture (multi-document YAML) in test/fixtures. */
export function fixture(name: string): Record<string, unknown>[] {
  const url = new URL(`../fixtures/${name}`, import.meta.url);
  return parseAllDocuments(readFileSync(url, 'utf8')).map((d) => d.toJSON() as Record<string, unknown>);
}

/** Poll `probe` until it returns a truthy value; fail after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every command job on the `commands` queue (any state), by data. */
export async function commandsOf(engine: Engine): Promise<{ id: string; type: string; subject: string; data: Record<string, unknown> }[]> {
  const jobs = await engine.queues.commands.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized'], 0, -1);
  return jobs.map((j) => j.data);
}

export { Queue };
