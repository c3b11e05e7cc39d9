/**
 * The engine in one process: the `events` handler, the reconciler and the
 * outbox publisher, over one Redis and one prefix. Start as many processes
 * as you like against the same Redis; they share the work, with no leader.
 */
import { randomUUID } from 'node:crypto';
import { type DeadLetter, type DeadLetterJobData, DefaultJsonLimits, type JsonLimits } from '@everynode/api';
import { commandsOf } from '@everynode/daemonset';
import { EventStore, exportLog, importLog, PassType, replay, verify } from '@everynode/eventlog';
import type { Job, Queue, Worker } from 'bullmq';
import pino, { type Logger } from 'pino';
import { ConnectionTrouble } from './connection-trouble.ts';
import { type DeadLetterLimits, DeadLetterQueue } from './dead-letters.ts';
import { startEventHandler } from './events-worker.ts';
import { QueueIngress } from './ingress.ts';
import { LogWaiter } from './log-waiter.ts';
import { Metrics } from './metrics.ts';
import { OutboxPublisher } from './outbox.ts';
import type { Admin, DeadLetters, EnginePorts, EventIngress, History } from './ports.ts';
import { DefaultLockMs, openQueues, type Queues } from './queues.ts';
import { scheduleSnapshots, scheduleSweep, startReconciler } from './reconcile-worker.ts';
import { registerPrefix, unregisterPrefix } from './prefix-registry.ts';
import { ReplicationFence, waitReplicasFromEnv } from './replication-fence.ts';
import { checkRedis } from './redis-check.ts';
import { openTimedRedis, type RedisClient, type TimedClient } from './redis-client.ts';
import { safeLogOptions } from './redact.ts';

export interface EngineOptions {
  /** `redis://…`, or `redis+cluster://h:p,h:p` for a Redis Cluster. Default `REDIS_URL` or `redis://127.0.0.1:6379`. */
  readonly redisUrl?: string;
  /** Key and queue prefix (docs/contract.md §4). Default `EVERYNODE_PREFIX` or `everynode`. */
  readonly prefix?: string;
  readonly logger?: Logger;
  /** Run the workers (false: an API-only process that reads and submits). Default true. */
  readonly workers?: boolean;
  /** `events` jobs at once. Default 16. */
  readonly eventConcurrency?: number;
  /** Passes at once (over different DaemonSets). Default 4. */
  readonly reconcileConcurrency?: number;
  /** How often some worker sweeps for forgotten dirty marks. Default 5 s. */
  readonly sweepEveryMs?: number;
  /**
   * How long a job stays locked to a worker without a heartbeat before another
   * takes it over (a crashed process's jobs, and its unpublished commands, are
   * picked up after about this long). Default `DefaultLockMs` (4 s).
   */
  readonly lockDurationMs?: number;
  /** How often a snapshot is considered. Default 60 s. */
  readonly snapshotEveryMs?: number;
  /** Entries since the last snapshot that make a new one worth taking. Default 10 000. */
  readonly snapshotMinEntries?: number;
  /** Retention: trim the log behind each snapshot (replay then starts from it). Default false: keep everything. */
  readonly trimBehindSnapshots?: boolean;
  /**
   * How long a Redis command may go unanswered before it fails (ioredis
   * `commandTimeout`), on every connection but BullMQ's blocking ones: a
   * Redis that stops answering makes a request fail (HTTP 503) instead of
   * hang. Default `EVERYNODE_REDIS_COMMAND_TIMEOUT_MS`, else 5000.
   */
  readonly commandTimeoutMs?: number;
  /** Where `redisUrl` came from, named in the hint when Redis cannot be reached at startup. Default `REDIS_URL`. */
  readonly redisUrlSource?: string;
  /**
   * With retention on, how long a trimmed event's `(source, id)` is still
   * remembered, so a late second delivery is not logged again. Default 7 days.
   */
  readonly dedupeWindowMs?: number;
  /** Each event's bounds: nesting depth (default 64) and bytes of JSON (default 1 MiB); a bigger one is refused. */
  readonly eventLimits?: Partial<JsonLimits>;
  /**
   * Add the prefix to the registry of clusters (`everynode:clusters`), where
   * a worker fleet with `EVERYNODE_PREFIXES=*` finds it. Default false; `up`,
   * the API service and worker processes set it.
   */
  readonly register?: boolean;
  /**
   * With `wait`, answer only once this many replicas confirm the log
   * (`WAIT`, see `replication-fence.ts`). Default `EVERYNODE_WAIT_REPLICAS`,
   * else 0: acknowledged once on the master, which asynchronous replication
   * may lose in a failover.
   */
  readonly waitReplicas?: number;
  /** How long WAIT may block for `waitReplicas`. Default `EVERYNODE_WAIT_REPLICAS_TIMEOUT_MS`, else 1000. */
  readonly waitReplicasTimeoutMs?: number;
  /** The dead-letter queue's bounds: bytes kept of one letter (default 64 KiB) and letters kept (default 10,000, the oldest dropped). */
  readonly deadLetters?: DeadLetterLimits;
}

/** A running engine: its ports, its metrics, and how to stop it. */
export interface Engine extends EnginePorts {
  readonly metrics: Metrics;
  /**
   * The engine's BullMQ queues (events, reconcile, commands, dead-letter), for
   * an operator to look into: the dashboard's queue pages (bull-board). Work
   * goes through the ports, never through these.
   */
  readonly bullQueues: readonly Queue[];
  readonly prefix: string;
  readonly redisUrl: string;
  /**
   * Stop the workers (their jobs finish first), then close the connections.
   * When Redis does not answer, nothing waits for it: the workers and
   * connections are cut at once (their jobs are picked up again after the
   * lock expires, as after a crash).
   */
  close(): Promise<void>;
}

/** The engine with its storage and queues in reach: for the engine's own tests and benchmarks (`@everynode/engine/internal`). */
export interface EngineInternals extends Engine {
  readonly store: EventStore;
  readonly queues: Queues;
}

/** Default of `EngineOptions.commandTimeoutMs`. */
const defaultCommandTimeoutMs = 5000;

/**
 * Start an engine: check that Redis answers (a `RedisUnreachableError`, one
 * line naming the cause, when it does not: a wrong password, nothing
 * listening…), connect, and (unless `workers: false`) run its workers in
 * this process. From then on a lost connection is retried, never fatal.
 */
export async function startEngine(options: EngineOptions = {}): Promise<EngineInternals> {
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = options.prefix ?? process.env.EVERYNODE_PREFIX ?? 'everynode';
  const logger = options.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info', ...safeLogOptions });
  const commandTimeoutMs = options.commandTimeoutMs ?? positiveNumber('EVERYNODE_REDIS_COMMAND_TIMEOUT_MS') ?? defaultCommandTimeoutMs;
  await checkRedis(redisUrl, { urlSource: options.redisUrlSource });
  const trouble = new ConnectionTrouble(logger);
  const connect = (source: string) => {
    const client = openTimedRedis(redisUrl, commandTimeoutMs);
    trouble.watch(source, client);
    return client;
  };
  const connection = connect('redis');
  const store = new EventStore(connection, prefix);
  if (options.register) await registerPrefix(connection, prefix);
  const queues = openQueues(connection, prefix);
  for (const queue of [queues.events, queues.reconcile, queues.commands, queues.deadLetter]) trouble.watch(`${queue.name} queue`, queue);
  const metrics = new Metrics(queues);
  const limits: JsonLimits = { ...DefaultJsonLimits, ...options.eventLimits };
  const deadLetters = new DeadLetterQueue(queues.deadLetter, metrics, options.deadLetters);
  const workers: Worker[] = [];
  const extra: TimedClient[] = [];
  let publisher: OutboxPublisher | undefined;

  if (options.workers !== false) {
    const upgraded = await store.upgradeKeys();
    if (upgraded > 0) logger.info({ keys: upgraded }, 'converted keys an older engine wrote');
    const publisherConnection = connect('redis (outbox)');
    extra.push(publisherConnection);
    const lockDurationMs = options.lockDurationMs ?? DefaultLockMs;
    publisher = new OutboxPublisher({
      store,
      queues,
      metrics,
      logger,
      connection: publisherConnection,
      trouble,
      consumer: `${process.pid}-${randomUUID()}`,
      claimIdleMs: lockDurationMs,
    });
    await publisher.start();
    const shared = { connection, prefix, store, queues, metrics, lockDurationMs };
    const events = { deadLetters, limits };
    const eventHandler = startEventHandler({ ...shared, ...events, logger: logger.child({ worker: 'events' }), concurrency: options.eventConcurrency ?? 16 });
    trouble.watch('events worker', eventHandler);
    const reconciler = startReconciler({
      ...shared,
      logger: logger.child({ worker: 'reconcile' }),
      concurrency: options.reconcileConcurrency ?? 4,
      onCommands: () => publisher?.nudge(),
      snapshots: { minEntries: options.snapshotMinEntries ?? 10_000, trim: options.trimBehindSnapshots ?? false, ...(options.dedupeWindowMs === undefined ? {} : { dedupeWindowMs: options.dedupeWindowMs }) },
    });
    trouble.watch('reconcile worker', reconciler);
    workers.push(eventHandler, reconciler);
    await scheduleSweep(queues, options.sweepEveryMs ?? 5000);
    await scheduleSnapshots(queues, options.snapshotEveryMs ?? 60_000);
  }

  const waitReplicas = options.waitReplicas ?? waitReplicasFromEnv(process.env.EVERYNODE_WAIT_REPLICAS);
  let fence: ReplicationFence | undefined;
  if (waitReplicas > 0) {
    // Its own connection: WAIT blocks the connection it is sent on.
    const fenceConnection = connect('redis (replication fence)');
    extra.push(fenceConnection);
    fence = new ReplicationFence(fenceConnection, `${store.keys.tag}:fence`, {
      replicas: waitReplicas,
      timeoutMs: options.waitReplicasTimeoutMs ?? positiveNumber('EVERYNODE_WAIT_REPLICAS_TIMEOUT_MS') ?? 1000,
    });
  }
  // Its connection blocks (XREAD BLOCK): a copy, which has no command timeout.
  const waiterConnection = () => {
    const copy = connection.duplicate();
    trouble.watch('redis (log waiter)', copy);
    return copy;
  };
  const logWaiter = new LogWaiter({ connect: waiterConnection, keys: { log: store.keys.log, seq: store.keys.seq }, lastSeq: () => store.lastSeq() });
  const ingress = new QueueIngress(store, queues, deadLetters, (after, timeoutMs, signal) => logWaiter.wait(after, timeoutMs, signal), limits, 1, fence);
  return {
    store,
    reader: store,
    ingress,
    history: historyOf(store, logWaiter),
    admin: adminOf(store, deadLettersOf(queues, ingress)),
    queues,
    bullQueues: [queues.events, queues.reconcile, queues.commands, queues.deadLetter],
    metrics,
    prefix,
    redisUrl,
    async close() {
      // A graceful close waits on Redis (QUIT waits for a reconnect that may never come): without Redis, force it.
      const force = !(await answersPing(connection, 1000));
      await logWaiter.close();
      await Promise.all(workers.map((w) => w.close(force)));
      await publisher?.stop();
      await queues.close();
      if (force) for (const c of [connection, ...extra]) c.cut();
      else await Promise.all([connection.quit(), ...extra.map((c) => c.quit())]);
    },
  };
}

function historyOf(store: EventStore, logWaiter: LogWaiter): History {
  return {
    readLog: (options) => store.readLog(options),
    readLogWhere: (options) => store.readLogWhere(options),
    logHorizon: () => store.logHorizon(),
    lastSeq: () => store.lastSeq(),
    waitForSeq: (after, { timeoutMs, signal }) => logWaiter.wait(after, timeoutMs, signal),
    async readCommands({ after = 0, limit = 1000 }) {
      const { entries, next } = await store.readLogWhere({ after, limit, where: { types: [PassType] } });
      const items = entries.flatMap((entry) => (entry.kind === 'pass' ? commandsOf(entry.decisions, Date.parse(entry.at)).map((command) => ({ seq: entry.seq, command })) : []));
      return { items, next };
    },
    verify: () => verify(store),
    stateAt: (bounds) => replay(store, bounds),
  };
}

function adminOf(store: EventStore, deadLetters: DeadLetters): Admin {
  return {
    deadLetters,
    checkpoints: { get: (name) => store.checkpoint(name), set: (name, seq) => store.setCheckpoint(name, seq) },
    async exportLog() {
      const lastSeq = await store.lastSeq();
      return { lastSeq, lines: exportLog(store, { toSeq: lastSeq }) };
    },
    importLog: (source) => importLog(store, source),
    async destroy() {
      await store.destroy();
      await unregisterPrefix(store.redis, store.keys.prefix);
    },
    ready: (timeoutMs = 1000) => answersPing(store.redis, timeoutMs),
  };
}

/** True when `redis` is connected and answers PING within `timeoutMs`; never throws, never waits longer. */
async function answersPing(redis: RedisClient, timeoutMs: number): Promise<boolean> {
  // Disconnected (reconnecting): no, without waiting for a PING that cannot be sent.
  if (redis.status !== 'ready') return false;
  // A hung Redis must not hang the caller.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const pong = redis.ping().then(
    (answer) => answer === 'PONG',
    () => false,
  );
  try {
    return await Promise.race([pong, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function deadLettersOf(queues: Queues, ingress: EventIngress): DeadLetters {
  // Nothing consumes the queue: a dead letter waits until an operator replays or drops it.
  const asDeadLetter = (job: Job<DeadLetterJobData>): DeadLetter => ({ ...job.data, id: job.id ?? '', kind: job.name });
  return {
    async list({ offset = 0, limit = 100 } = {}) {
      const [jobs, total] = await Promise.all([
        limit === 0 ? [] : queues.deadLetter.getJobs(['waiting'], offset, offset + limit - 1, true),
        queues.deadLetter.getWaitingCount(),
      ]);
      return { items: jobs.filter((job) => job !== undefined).map(asDeadLetter), total };
    },
    async get(id) {
      const job = await queues.deadLetter.getJob(id);
      return job ? asDeadLetter(job) : undefined;
    },
    async replay(id) {
      const job = await queues.deadLetter.getJob(id);
      if (!job) return undefined;
      const { keptAsText } = job.data;
      if (keptAsText) {
        // Only a piece of the message was kept: there is nothing whole to submit. The letter stays, to read or drop.
        const reason = `dead letter ${id} keeps only the first ${keptAsText.kept} of the message's ${keptAsText.bytes} bytes, as text: it cannot be replayed`;
        return { accepted: [], refused: [{ index: 0, reason }] };
      }
      const result = await ingress.submit([job.data.event], job.data.origin ? { origin: job.data.origin } : {});
      await job.remove();
      return result;
    },
    async drop(id) {
      return (await queues.deadLetter.remove(id)) === 1;
    },
  };
}

/** The environment variable `name` as a positive number; undefined when unset or empty. */
function positiveNumber(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: ${JSON.stringify(text)} is not a positive number of milliseconds`);
  return value;
}
