/**
 * `everynode up`'s cluster: Redis (found or started), the engine's workers
 * (in this process, plus `workers - 1` worker processes), the HTTP API,
 * with `simulate` the simulated node agent, and with `bridges` those
 * bridges (their `/readyz` check each) — all on one prefix.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { startAgent, type Agent } from '@everynode/agent';
import type { Bridge, RunningBridge } from '@everynode/bridges';
import { engineTuningFromEnv, findOrStartRedis, startEngine, workerProcessArgs, type Engine, type RedisHandle } from '@everynode/engine';
import { type AuthOptions, buildServer, type DashboardOptions, findDashboard, type TlsOptions } from '@everynode/server';
import type { Logger } from 'pino';

export interface LocalClusterOptions {
  /** Worker processes in all, this one included. Default 1. */
  readonly workers?: number;
  /** Run the simulated node agent. */
  readonly simulate?: boolean;
  /** HTTP port. Default 7700; 0 picks a free one. */
  readonly port?: number;
  /** The address the API binds. Default 127.0.0.1: this machine only. */
  readonly address?: string;
  /** Tokens, allowed hosts, rate limit. Default: no authentication (`up` always gives tokens). */
  readonly auth?: AuthOptions;
  /** Serve HTTPS with this certificate and key. Default: HTTP. */
  readonly tls?: TlsOptions;
  /** Where Redis is; unset: REDIS_URL, else 127.0.0.1:6379 if it answers, else a private redis-server. */
  readonly redisUrl?: string;
  /** Key and queue prefix. Default `everynode`. */
  readonly prefix?: string;
  /** Delete everything under the prefix first (the demo starts afresh). Default false. */
  readonly fresh?: boolean;
  /** Bridges to run against the engine; `/readyz` fails while one is not connected. */
  readonly bridges?: readonly Bridge[];
  /** Serve the web dashboard at `/`. Default: the built dashboard where `findDashboard` finds it; `false`: none. */
  readonly dashboard?: DashboardOptions | false;
  readonly logger: Logger;
}

export interface LocalCluster {
  /** The HTTP API's URL. */
  readonly url: string;
  /** The dashboard's URL (the API's, at `/`); undefined when none is served. */
  readonly dashboardUrl: string | undefined;
  readonly engine: Engine;
  readonly redis: RedisHandle;
  stop(): Promise<void>;
}

export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const { logger } = options;
  const highWaterMark = highWaterMarkFromEnv(process.env.EVERYNODE_HIGH_WATER_MARK);
  const redis = await findOrStartRedis({ ...(options.redisUrl ? { url: options.redisUrl } : {}), logger });
  const prefix = options.prefix ?? 'everynode';
  // Named in the hint when the URL is wrong (a password, a host, TLS).
  const redisUrlSource = '--redis / REDIS_URL';
  const engineLogger = logger.child({ component: 'engine' });
  if (options.fresh) {
    // Every key of the prefix, queues included, before any worker looks at them.
    const old = await startEngine({ redisUrl: redis.url, redisUrlSource, prefix, logger: engineLogger, workers: false });
    await old.admin.destroy();
    await old.close();
  }
  // The same tuning variables as every worker process (its worker children read them themselves).
  const engine = await startEngine({ redisUrl: redis.url, redisUrlSource, prefix, logger: engineLogger, register: true, ...engineTuningFromEnv(process.env) });
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
  let bridges: RunningBridge[] = [];
  /** Stops what has been started, in reverse order. */
  const stopStarted = async () => {
    await Promise.allSettled(bridges.map((b) => b.close()));
    await agent?.close();
    await Promise.all(children.map(stopChild));
    await engine.close();
    await redis.stop();
  };
  // The bus clients (NATS, Kafka, RabbitMQ, MQTT) are loaded only when a bridge is configured: an idle `up` holds none of them.
  const bridgesModule = options.bridges?.length ? await import('@everynode/bridges') : undefined;
  const dashboard = options.dashboard === false ? undefined : (options.dashboard ?? findDashboard());
  const server = buildServer({ ...engine, ...(dashboard ? { dashboard } : {}), ...(highWaterMark === undefined ? {} : { highWaterMark }), checks: () => bridgesModule?.bridgeChecks(bridges) ?? [], ...(options.auth ? { auth: options.auth } : {}), ...(options.tls ? { tls: options.tls } : {}) });
  let address: string;
  try {
    if (bridgesModule && options.bridges) bridges = await bridgesModule.startBridges(options.bridges, engine, logger.child({ component: 'bridges' }));
    address = await server.listen({ port: options.port ?? 7700, host: options.address ?? '127.0.0.1' });
  } catch (error) {
    // A port in use (say) must not leave the workers running in a process that has given up.
    await stopStarted();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`${(error as Error).message} (choose another port with --port)`, { cause: error });
    throw error;
  }
  logger.info({ url: address, redis: redis.how, prefix, workers: options.workers ?? 1, simulate: options.simulate ?? false, bridges: bridges.map((b) => b.name) }, 'everynode is up');

  return {
    url: address,
    dashboardUrl: dashboard ? `${address}/` : undefined,
    engine,
    redis,
    async stop() {
      await server.close();
      await stopStarted();
    },
  };
}

/** A worker process on the same Redis and prefix; resolves once it is listening. */
function startWorkerProcess(redisUrl: string, prefix: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, workerProcessArgs(), {
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

/** `EVERYNODE_HIGH_WATER_MARK` (POST /events answers 429 past this many waiting event jobs; 0: never), as the API service reads it. */
function highWaterMarkFromEnv(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`EVERYNODE_HIGH_WATER_MARK: ${JSON.stringify(text)} is not a whole number of jobs (0 or more)`);
  return value;
}
