/**
 * `everynode up`'s cluster: Redis (found or started), the engine's workers
 * (in this process, plus `workers - 1` worker processes), the HTTP API, and
 * with `simulate` the simulated node agent — all on one prefix.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startAgent, type Agent } from '@everynode/agent';
import { findOrStartRedis, startEngine, workerEntry, type Engine, type RedisHandle } from '@everynode/engine';
import { buildServer } from '@everynode/server';
import type { Logger } from 'pino';

export interface LocalClusterOptions {
  /** Worker processes in all, this one included. Default 1. */
  readonly workers?: number;
  /** Run the simulated node agent. */
  readonly simulate?: boolean;
  /** HTTP port. Default 7700; 0 picks a free one. */
  readonly port?: number;
  /** Where Redis is; unset: REDIS_URL, else 127.0.0.1:6379 if it answers, else a private redis-server. */
  readonly redisUrl?: string;
  /** Key and queue prefix. Default `everynode`. */
  readonly prefix?: string;
  /** Delete everything under the prefix first (the demo starts afresh). Default false. */
  readonly fresh?: boolean;
  readonly logger: Logger;
}

export interface LocalCluster {
  /** The HTTP API's URL. */
  readonly url: string;
  readonly engine: Engine;
  readonly redis: RedisHandle;
  stop(): Promise<void>;
}

export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const { logger } = options;
  const redis = await findOrStartRedis({ ...(options.redisUrl ? { url: options.redisUrl } : {}), logger });
  const prefix = options.prefix ?? 'everynode';
  const engineLogger = logger.child({ component: 'engine' });
  if (options.fresh) {
    // Every key of the prefix, queues included, before any worker looks at them.
    const old = await startEngine({ redisUrl: redis.url, prefix, logger: engineLogger, workers: false });
    await old.admin.destroy();
    await old.close();
  }
  const engine = await startEngine({ redisUrl: redis.url, prefix, logger: engineLogger });
  const children = await Promise.all(
    Array.from({ length: Math.max(0, (options.workers ?? 1) - 1) }, () => startWorkerProcess(redis.url, prefix)),
  );
  let agent: Agent | undefined;
  if (options.simulate) {
    agent = await startAgent({
      connection: redis.url,
      prefix,
      logger: logger.child({ component: 'agent' }),
      nodeAnnotations: async (name) => (await engine.reader.getNode(name))?.metadata.annotations,
    });
  }
  const server = buildServer(engine);
  const address = await server.listen({ port: options.port ?? 7700, host: '127.0.0.1' });
  logger.info({ url: address, redis: redis.how, prefix, workers: options.workers ?? 1, simulate: options.simulate ?? false }, 'everynode is up');

  return {
    url: address,
    engine,
    redis,
    async stop() {
      await server.close();
      await agent?.close();
      await Promise.all(children.map(stopChild));
      await engine.close();
      await redis.stop();
    },
  };
}


/** A worker process on the same Redis and prefix; resolves once it is listening. */
function startWorkerProcess(redisUrl: string, prefix: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(workerEntry)], {
    env: { ...process.env, REDIS_URL: redisUrl, EVERYNODE_PREFIX: prefix },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`a worker process exited with ${code} before it started`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
