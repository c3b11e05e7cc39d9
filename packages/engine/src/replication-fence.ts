/**
 * `EVERYNODE_WAIT_REPLICAS=N`: an acknowledged event is on N replicas too.
 *
 * Redis replicates asynchronously: a master that dies moments after a
 * commit may take it along, and the replica promoted in its place never saw
 * it — an event the API answered 202 for is then lost. `WAIT N timeout`
 * blocks until N replicas have acknowledged every write the calling
 * connection made. The commit was made by a worker's connection, not ours,
 * so the fence first writes one key of the cluster's own slot (`{p}:fence`)
 * on the connection to the master serving that slot, then WAITs there: one
 * master's replication stream is ordered, so replicas that have the fence
 * have the commit before it. Fewer than N acknowledgements within the
 * timeout is an error — the events are in the log, but not known to be safe.
 *
 * WAIT does not make Redis strongly consistent (a failover may still pick a
 * replica that lagged, with several replicas), but with one replica per
 * master and N = 1 the only replica that can be promoted has the events.
 * The price is a round trip to a replica per request (`npm run bench`).
 */
import { isCluster, type RedisClient } from '@everynode/eventlog';
import type { Redis } from 'ioredis';

/** The replicas did not all confirm in time; the events are logged but may not survive a failover. */
export class ReplicationUnconfirmed extends Error {
  override readonly name = 'ReplicationUnconfirmed';
  constructor(acknowledged: number, wanted: number, timeoutMs: number) {
    super(`only ${acknowledged} of ${wanted} replica(s) confirmed the write within ${timeoutMs} ms (EVERYNODE_WAIT_REPLICAS)`);
  }
}

export interface ReplicationFenceOptions {
  /** Replicas that must confirm (WAIT's numreplicas); a positive integer. */
  readonly replicas: number;
  /** How long WAIT may block. Default 1000 ms. */
  readonly timeoutMs?: number;
}

export class ReplicationFence {
  readonly #redis: RedisClient;
  readonly #key: string;
  readonly #replicas: number;
  readonly #timeoutMs: number;

  /**
   * @param redis a connection of its own (WAIT blocks it), to the same Redis or Redis Cluster.
   * @param key the fence key: in the cluster's hash tag, so on the master that holds its commits.
   */
  constructor(redis: RedisClient, key: string, options: ReplicationFenceOptions) {
    this.#redis = redis;
    this.#key = key;
    this.#replicas = options.replicas;
    this.#timeoutMs = options.timeoutMs ?? 1000;
  }

  /** Resolves once `replicas` replicas have every write made to the cluster's master so far; else throws `ReplicationUnconfirmed`. */
  async confirm(): Promise<void> {
    const master = await this.#master();
    await master.set(this.#key, String(Date.now()));
    const acknowledged = Number(await master.wait(this.#replicas, this.#timeoutMs));
    if (acknowledged < this.#replicas) throw new ReplicationUnconfirmed(acknowledged, this.#replicas, this.#timeoutMs);
  }

  /** The connection to the master serving the fence key's slot (the client itself for one Redis). */
  async #master(): Promise<Redis> {
    const redis = this.#redis;
    if (!isCluster(redis)) return redis;
    // A write routed by the cluster client follows a failover's MOVED and refreshes its slot map, so the
    // connection picked below is the current master's (the fence is then written again on it, before WAIT).
    await redis.set(this.#key, String(Date.now()));
    const slot = Number(await redis.cluster('KEYSLOT', this.#key));
    const address = redis.slots[slot]?.[0];
    const node = redis.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === address);
    if (!node) throw new Error(`no master known for slot ${slot} of ${this.#key}: the cluster is failing over`);
    return node;
  }
}

/** `EVERYNODE_WAIT_REPLICAS` as a count (0: off); an error names the variable and the reason. */
export function waitReplicasFromEnv(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 0;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`EVERYNODE_WAIT_REPLICAS: ${JSON.stringify(text)} is not a whole number of replicas (0 or more)`);
  return value;
}
