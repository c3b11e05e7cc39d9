/**
 * The simulated node agent (docs/contract.md §5, `up --simulate`): a BullMQ worker on
 * the `commands` queue that plays every node at once and reports what the
 * pods did as events on the `events` queue.
 *
 * Guarantees: an invalid command fails its job for good (`UnrecoverableError`)
 * without holding up the others; a command delivered twice to this process is
 * executed once; a command executed twice anyway (another agent, a restart)
 * reports events with the same ids, which the engine drops.
 */
import { CommandsJobDataSchema, type EventsJobData, objectKey, type PodDeleted, type PodStatusReported, QueueName, queuePrefix } from '@everynode/api';
import { ConnectionTrouble } from '@everynode/engine';
import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import { pino, type Logger } from 'pino';
import * as z from 'zod';
import { AnnotationsCache, type NodeAnnotationsLookup } from './annotations-cache.ts';
import { openConnection, type AgentConnection } from './connection.ts';
import { createExecutor, type CommandOutcome } from './executor.ts';
import { OncePerId, type OnceResult } from './once-per-id.ts';
import { agentSource, eventJobId } from './reports.ts';

// The queues' names and prefix are the engine's (`@everynode/api` `queues.ts`).
export const CommandsQueueName = QueueName.Commands;
export const EventsQueueName = QueueName.Events;
export { queuePrefix } from '@everynode/api';

export interface AgentOptions {
  /** Redis: a `redis://` URL, ioredis options, or an ioredis client (duplicated; the caller keeps closing its own). */
  readonly connection: AgentConnection;
  /** The cluster's key prefix (`EVERYNODE_PREFIX`, e.g. `everynode`); queues live under `{prefix}`. */
  readonly prefix: string;
  /** Commands executed at once. Default 50; start delays are awaited inside the job, so this bounds pods starting at once. */
  readonly concurrency?: number;
  /** Default: pino at `info` on stderr. Each command logs through a child with its ids. */
  readonly logger?: Logger;
  /** CloudEvents `source` of the reported events. Default `everynode/agent`. */
  readonly source?: string;
  /** Start delay of a node without `sim.everynode.io/start-delay-ms`. Default 50 ms. */
  readonly defaultStartDelayMs?: number;
  /** Delay between a delete command and its `pod.deleted` report. Default 10 ms. */
  readonly deleteDelayMs?: number;
  /** Reads a node's annotations (e.g. from the engine's projection). Default: every node has none. */
  readonly nodeAnnotations?: NodeAnnotationsLookup;
  /** How long a node's annotations are reused before asking again. Default 1000 ms. */
  readonly annotationsTtlMs?: number;
  /** How many executed command ids are remembered to drop redeliveries. Default 10 000. */
  readonly recentCommands?: number;
}

export interface Agent {
  /** Stops taking commands, lets running ones finish (start delays included), and closes the connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Job options of a reported event: retried if the engine's handler fails;
 * dropped once handled, as the engine's own `events` jobs are (the log
 * keeps the event, and its `(source, id)` makes a report sent again change
 * nothing); kept a week if it failed.
 */
const eventJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
};

const noAnnotations: NodeAnnotationsLookup = async () => undefined;

export async function startAgent(options: AgentOptions): Promise<Agent> {
  const logger = options.logger ?? pino({ name: 'everynode-agent' }, pino.destination(2));
  const redis = openConnection(options.connection);
  // An outage is told once, not on every reconnect attempt by every queue and worker.
  const trouble = new ConnectionTrouble(logger);
  trouble.watch('agent redis', redis);
  const prefix = queuePrefix(options.prefix);
  const events = new Queue<EventsJobData>(EventsQueueName, { connection: redis, prefix });
  trouble.watch('events queue', events);

  const execute = createExecutor({
    annotations: new AnnotationsCache(options.nodeAnnotations ?? noAnnotations, options.annotationsTtlMs ?? 1000),
    report: async (event: PodStatusReported | PodDeleted) => {
      await events.add(event.type, event, { ...eventJobOptions, jobId: eventJobId(event.id) });
    },
    source: options.source ?? agentSource,
    defaultStartDelayMs: options.defaultStartDelayMs ?? 50,
    deleteDelayMs: options.deleteDelayMs ?? 10,
  });
  const once = new OncePerId(options.recentCommands ?? 10_000);

  async function processCommand(job: Job): Promise<CommandOutcome | OnceResult> {
    const parsed = CommandsJobDataSchema.safeParse(job.data);
    // A malformed command will not get better on retry.
    if (!parsed.success) throw new UnrecoverableError(`invalid command: ${z.prettifyError(parsed.error)}`);
    const command = parsed.data;
    const log = logger.child({
      commandId: command.id,
      type: command.type,
      node: command.subject,
      pod: objectKey(command.data.metadata),
      jobId: job.id,
      attempt: job.attemptsMade + 1,
    });
    let outcome: CommandOutcome | undefined;
    const ran = await once.run(`${command.source} ${command.id}`, async () => {
      outcome = await execute(command, log);
    });
    if (ran === 'duplicate') log.info('command already executed; copy dropped');
    return outcome ?? ran;
  }

  const worker = new Worker(CommandsQueueName, processCommand, {
    connection: redis,
    prefix,
    concurrency: options.concurrency ?? 50,
  });
  trouble.watch('commands worker', worker);
  worker.on('failed', (job, error) =>
    logger.warn({ jobId: job?.id, attempt: job?.attemptsMade, err: error }, 'command failed'),
  );
  await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);
  logger.info({ prefix, concurrency: worker.concurrency }, 'agent started');

  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        await worker.close();
        await events.close();
        await redis.quit();
        logger.info('agent stopped');
      })();
      return closing;
    },
  };
}
