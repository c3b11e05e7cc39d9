/**
 * One worker process for many everynode clusters: an engine with workers per
 * prefix, all in this process. Listed prefixes are served from the start;
 * with `'*'` the registry (`prefix-registry.ts`) is read every
 * `discoverEveryMs` and a newly registered cluster is served from the next
 * read on, an unregistered one let go — adding a cluster needs no new
 * deployment, and every process added adds capacity to all of them.
 *
 * Fairness: each prefix has its own BullMQ workers with their own
 * concurrency (`eventConcurrency`, `reconcileConcurrency`), so a cluster
 * with a deep backlog holds at most its own job slots and never starves
 * another's; the process's CPU is shared in the order jobs arrive. What
 * keeps one cluster's reconcile work from running twice at once is
 * unchanged: BullMQ's per-DaemonSet deduplication and the rv-checked commit,
 * within that cluster's hash tag, whichever process takes the job.
 */
import type { Logger } from 'pino';
import { type Engine, type EngineOptions, startEngine } from './engine.ts';
import { registeredPrefixes } from './prefix-registry.ts';
import { openRedis } from './redis-client.ts';

export interface PrefixPoolOptions {
  /** The prefixes to serve, or `'*'`: every prefix in the registry, read again every `discoverEveryMs`. */
  readonly prefixes: readonly string[] | '*';
  /** Default `REDIS_URL` or `redis://127.0.0.1:6379`. */
  readonly redisUrl?: string;
  readonly logger: Logger;
  /** How often the registry is read with `'*'`. Default 5000 ms. */
  readonly discoverEveryMs?: number;
  /** Options of each prefix's engine (tuning); its prefix, URL and logger are the pool's. */
  readonly engine?: Omit<EngineOptions, 'prefix' | 'redisUrl' | 'logger'>;
}

/** A running pool. */
export interface PrefixPool {
  /** The prefixes served now, sorted. */
  serving(): string[];
  /** Read the registry now (with `'*'`) and start or stop engines to match; resolves when they run. */
  discover(): Promise<void>;
  /** Stop discovering, then close every engine. */
  close(): Promise<void>;
}

/** Start serving `options.prefixes`; resolves once every listed (or registered) prefix's workers run. */
export async function startPrefixPool(options: PrefixPoolOptions): Promise<PrefixPool> {
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const engines = new Map<string, Engine>();
  const starting = new Map<string, Promise<void>>();
  const registry = options.prefixes === '*' ? openRedis(redisUrl) : undefined;
  registry?.on('error', () => undefined); // an outage is reported by the engines' own connections

  const serve = (prefix: string): Promise<void> => {
    const running = starting.get(prefix);
    if (running) return running;
    const started = startEngine({ ...options.engine, redisUrl, prefix, logger: options.logger.child({ prefix }) }).then(
      (engine) => {
        engines.set(prefix, engine);
        options.logger.info({ prefix }, 'serving cluster');
      },
      (error: unknown) => {
        starting.delete(prefix);
        throw error;
      },
    );
    starting.set(prefix, started);
    return started;
  };
  const letGo = async (prefix: string) => {
    const engine = engines.get(prefix);
    engines.delete(prefix);
    starting.delete(prefix);
    await engine?.close();
    options.logger.info({ prefix }, 'no longer serving cluster (unregistered)');
  };

  const discover = async () => {
    if (!registry) return;
    const wanted = new Set(await registeredPrefixes(registry));
    await Promise.all([...wanted].map(serve));
    await Promise.all([...engines.keys()].filter((prefix) => !wanted.has(prefix)).map(letGo));
  };

  if (options.prefixes === '*') await discover();
  else await Promise.all(options.prefixes.map(serve));

  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    timer = setTimeout(() => {
      discover().then(
        () => !closed && tick(),
        (error: unknown) => {
          options.logger.warn({ err: error }, 'could not read the registry of clusters; trying again');
          if (!closed) tick();
        },
      );
    }, options.discoverEveryMs ?? 5000);
  };
  if (registry) tick();

  return {
    serving: () => [...engines.keys()].sort(),
    discover,
    async close() {
      closed = true;
      clearTimeout(timer);
      await Promise.allSettled(starting.values());
      await Promise.all([...engines.values()].map((engine) => engine.close()));
      engines.clear();
      await registry?.quit();
    },
  };
}

/**
 * `EVERYNODE_PREFIXES` as the pool reads it: `*` (every registered cluster),
 * or prefixes separated by commas; undefined when unset or empty.
 */
export function prefixesFromEnv(text: string | undefined): readonly string[] | '*' | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  if (text.trim() === '*') return '*';
  const prefixes = text.split(',').map((p) => p.trim());
  const bad = prefixes.find((p) => p === '' || /[{}\s]/.test(p));
  if (bad !== undefined) throw new Error(`EVERYNODE_PREFIXES: ${JSON.stringify(bad)} is not a prefix (not empty, no braces or spaces; or * for every registered cluster)`);
  return [...new Set(prefixes)];
}
