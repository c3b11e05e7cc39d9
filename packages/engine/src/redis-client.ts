/**
 * The one place an everynode process builds a Redis client from a URL:
 * `redis://` / `rediss://` give an ioredis `Redis`, `redis+cluster://` /
 * `rediss+cluster://` an ioredis `Cluster` (BullMQ's node-redis adapter has
 * no cluster support; ioredis does). Store, queues, workers, the log waiter,
 * the agent and replay all connect through here, so a cluster URL changes
 * every component at once.
 *
 * Every client is BullMQ-ready: `maxRetriesPerRequest: null` (a worker's
 * blocking commands wait out a reconnect or a failover instead of failing)
 * and `enableReadyCheck: true` — on each node connection for a cluster. A
 * cluster client follows `MOVED`/`ASK`, and after a master dies it keeps
 * re-reading the slot map until the promoted replica serves the slot; it
 * never rewrites addresses (no `natMap`: the nodes announce addresses their
 * clients can reach).
 */
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import type { RedisClient } from '@everynode/eventlog';
import { redisConnectionOptions } from './redis-connect.ts';
import { clusterTarget, isClusterUrl } from './redis-target.ts';
import { TimedCluster, TimedRedis } from './timed-redis.ts';

export type { RedisClient } from '@everynode/eventlog';

export interface OpenRedisOptions {
  /** Fail a command unanswered after this many ms (none on `duplicate()` copies, which BullMQ blocks on). Default: no timeout. */
  readonly commandTimeoutMs?: number;
  /** Extra ioredis options for the connection (each node connection of a cluster). */
  readonly redisOptions?: RedisOptions;
  /** Options of the client as a whole: for a cluster, of the `Cluster` rather than of its node connections. */
  readonly client?: { readonly lazyConnect?: boolean; readonly enableOfflineQueue?: boolean };
}

/**
 * ioredis `Cluster` options for a cluster URL: the URL's credentials and
 * TLS on every node, BullMQ's settings, and retry delays short enough that a
 * failover (node timeout + promotion, a few seconds) is waited out, not failed.
 */
export function clusterOptions(url: string, redisOptions: RedisOptions = {}): { nodes: { host: string; port: number }[]; options: ClusterOptions } {
  const target = clusterTarget(url);
  const options: ClusterOptions = {
    redisOptions: { ...target.nodeOptions, maxRetriesPerRequest: null, enableReadyCheck: true, ...redisOptions },
    // No cluster-wide ready check: when it finds `cluster_state:fail` (a master just died), ioredis reconnects and never
    // settles the connect() it was asked for — and BullMQ's reset of a worker's blocking connection awaits exactly
    // that, so the worker never fetched again (test/reconnect.cluster.test.ts). Without it connect() settles once the
    // slot map is read, and a command for a slot without a master is retried (CLUSTERDOWN) until one serves it.
    enableReadyCheck: false,
    // A command to a slot whose master is gone is retried after the slot map is read again, as often as it takes.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    maxRedirections: 64,
    slotsRefreshTimeout: 2000,
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
  };
  // TLS to nodes known by address: verify the certificate against the address each node announces.
  if (target.nodeOptions.tls) options.dnsLookup = (address, callback) => callback(null, address);
  return { nodes: target.nodes.map((node) => ({ ...node })), options };
}

/** A client for `url`: a `Cluster` for a cluster URL, else a `Redis` (with `commandTimeoutMs`, the timed kind). */
export function openRedis(url: string, options: OpenRedisOptions = {}): RedisClient {
  if (isClusterUrl(url)) {
    const { nodes, options: base } = clusterOptions(url, options.redisOptions);
    const cluster: ClusterOptions = { ...base, ...options.client };
    return options.commandTimeoutMs === undefined ? new Cluster(nodes, cluster) : new TimedCluster(nodes, cluster, options.commandTimeoutMs);
  }
  const single = { ...redisConnectionOptions(url), ...options.redisOptions, ...options.client };
  return options.commandTimeoutMs === undefined ? new Redis(single) : new TimedRedis(single, options.commandTimeoutMs);
}

/** A client whose commands time out, with copies that do not, and `cut()`. */
export type TimedClient = TimedRedis | TimedCluster;

/** `openRedis` with a command timeout: the engine's own connections. */
export function openTimedRedis(url: string, commandTimeoutMs: number): TimedClient {
  return openRedis(url, { commandTimeoutMs }) as TimedClient;
}
