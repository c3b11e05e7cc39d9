/**
 * An ioredis client whose commands time out and whose copies do not.
 *
 * Without a timeout, a command sent to a Redis that stopped answering (a
 * paused process, a half-open connection) waits until the connection dies,
 * which may be never; an HTTP request waiting on it hangs as long. With
 * ioredis's `commandTimeout` it fails instead, and the request can answer
 * 503. A timed-out write may still land once Redis answers again: every
 * write the engine makes is idempotent (events by `(source, id)`, commits by
 * expected version, jobs by id), so a retry after the 503 is safe.
 *
 * BullMQ gives each Worker a blocking connection by calling `duplicate()` on
 * the client it is handed. `BZPOPMIN` there blocks for seconds by design, so
 * a command timeout on the copy would fail every quiet wait: the copies made
 * here have none. They are kept track of, so that `cut()` can drop them too.
 * `TimedCluster` is the same for a Redis Cluster: the timeout is on each node
 * connection (`redisOptions`), and BullMQ's copies
 * (`duplicate(undefined, { redisOptions })`) drop it.
 */
import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

export class TimedRedis extends Redis {
  /** Every copy made: an ended copy may connect again (BullMQ reconnects a blocking connection it reset). */
  private readonly copies = new Set<Redis>();
  private isCut = false;

  /** `options` with `commandTimeout: commandTimeoutMs` (ms; a positive number). */
  constructor(options: RedisOptions, commandTimeoutMs: number) {
    super({ ...options, commandTimeout: commandTimeoutMs });
  }

  /** A copy of this client (same server and credentials, `override` applied) without the command timeout. */
  override duplicate(override?: Partial<RedisOptions>): Redis {
    const copy = new Redis({ ...this.options, ...override, commandTimeout: undefined });
    this.copies.add(copy);
    // BullMQ may reconnect a blocking copy after closing its worker (its watchdog, when a paused server left BZPOPMIN hanging).
    copy.on('connect', () => {
      if (this.isCut) drop(copy);
    });
    return copy;
  }

  /**
   * Drop this client and every copy at once: no reconnecting, and no waiting
   * for a server that may never answer (a graceful close waits for its
   * goodbye, and a socket to a paused server would keep the process alive).
   */
  cut(): void {
    this.isCut = true;
    for (const client of [this, ...this.copies]) drop(client);
  }
}

/** Disconnect `client` (no reconnecting) and destroy its socket rather than wait for the server's goodbye. */
function drop(client: Redis): void {
  client.disconnect();
  (client.stream as { destroy?: () => void } | undefined)?.destroy?.();
}

/** `TimedRedis` for a Redis Cluster: every node connection has the command timeout, copies have none. */
export class TimedCluster extends Cluster {
  private readonly copies = new Set<Cluster>();
  private isCut = false;
  /** The startup nodes, for copies (ioredis keeps its own private). */
  private readonly seeds: ClusterNode[];

  /** `options.redisOptions` with `commandTimeout: commandTimeoutMs` on every node connection. */
  constructor(nodes: ClusterNode[], options: ClusterOptions, commandTimeoutMs: number) {
    super(nodes, { ...options, redisOptions: { ...options.redisOptions, commandTimeout: commandTimeoutMs } });
    this.seeds = nodes.slice(0);
  }

  /** A copy (same nodes, credentials and options, `override` applied) without the command timeout. */
  override duplicate(overrideStartupNodes?: ClusterNode[], override: Partial<ClusterOptions> = {}): Cluster {
    const redisOptions = { ...this.options.redisOptions, ...override.redisOptions, commandTimeout: undefined };
    const copy = new Cluster(overrideStartupNodes ?? this.seeds.slice(0), { ...this.options, ...override, redisOptions });
    this.copies.add(copy);
    copy.on('connect', () => {
      if (this.isCut) copy.disconnect();
    });
    return copy;
  }

  /** Drop this client and every copy at once (see `TimedRedis.cut`). */
  cut(): void {
    this.isCut = true;
    for (const client of [this, ...this.copies]) {
      client.disconnect();
      for (const node of client.nodes()) drop(node);
    }
  }
}
