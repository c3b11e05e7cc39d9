/**
 * The outbox publisher: a pass that decided commands notes its log sequence
 * number in `{p}:outbox` in the same atomic step that records it, and the
 * publisher derives the commands from the logged decisions (`commandsOf`, the
 * same pure function everywhere) and adds them to the `commands` queue — so
 * a crash between recording and publishing publishes later, and once: the
 * job id is the command's deterministic id, and BullMQ ignores a job id it
 * already holds. Several publishers share the stream through a consumer
 * group; a dead one's entries are claimed after `claimIdleMs`.
 */
import { commandsOf } from '@everynode/daemonset';
import type { EventStore } from '@everynode/eventlog';
import type { RedisClient } from '@everynode/eventlog';
import type { Logger } from 'pino';
import type { ConnectionTrouble } from './connection-trouble.ts';
import type { Metrics } from './metrics.ts';
import { jobIdFor, QueueName, type Queues } from './queues.ts';

const Group = 'publishers';

export interface OutboxOptions {
  readonly store: EventStore;
  readonly queues: Queues;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** A connection of its own: reading blocks. */
  readonly connection: RedisClient;
  /** Where a failed round is reported (held back while it repeats). Default: each one logged as an error. */
  readonly trouble?: ConnectionTrouble;
  readonly consumer: string;
  /** Outbox entries (passes) published per round. Default 20. */
  readonly batch?: number;
  /** How long an entry may sit unacknowledged with a dead consumer before another takes it. Default 30 s. */
  readonly claimIdleMs?: number;
}

export class OutboxPublisher {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(private readonly options: OutboxOptions) {}

  async start(): Promise<void> {
    const { connection, store } = this.options;
    try {
      await connection.xgroup('CREATE', store.keys.outbox, Group, '0', 'MKSTREAM');
    } catch (error) {
      if (!String(error).includes('BUSYGROUP')) throw error;
    }
    this.running = true;
    this.loop = this.run();
  }

  /** Publish now rather than at the next poll. */
  nudge(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let lastClaim = 0;
    while (this.running) {
      try {
        let published = 0;
        if (Date.now() - lastClaim > (this.options.claimIdleMs ?? 30_000) / 2) {
          published += await this.claimAbandoned();
          lastClaim = Date.now();
        }
        published += await this.publishNew();
        if (published === 0) await this.idle(200);
      } catch (error) {
        if (!this.running) return;
        if (this.options.trouble) this.options.trouble.error('outbox publisher', error);
        else this.options.logger.error({ err: error }, 'outbox publishing failed; retrying');
        await this.idle(500);
      }
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async publishNew(): Promise<number> {
    const { connection, store, consumer } = this.options;
    const reply = (await connection.xreadgroup('GROUP', Group, consumer, 'COUNT', this.options.batch ?? 20, 'STREAMS', store.keys.outbox, '>')) as
      | [string, [string, string[]][]][]
      | null;
    const entries = reply?.[0]?.[1] ?? [];
    return this.publish(entries);
  }

  private async claimAbandoned(): Promise<number> {
    const { connection, store, consumer } = this.options;
    const [, entries] = (await connection.xautoclaim(store.keys.outbox, Group, consumer, this.options.claimIdleMs ?? 30_000, '0', 'COUNT', this.options.batch ?? 20)) as [
      string,
      [string, string[]][],
    ];
    return this.publish(entries.filter(([, fields]) => fields !== null));
  }

  private async publish(entries: [string, string[]][]): Promise<number> {
    if (entries.length === 0) return 0;
    const { connection, store, queues, metrics } = this.options;
    const seqs = entries.map(([, fields]) => Number(fields[1]));
    const passes = await Promise.all(seqs.map((seq) => store.readLog({ after: seq - 1, limit: 1 })));
    const commands = passes.flatMap(([entry]) => (entry?.kind === 'pass' ? commandsOf(entry.decisions, Date.parse(entry.at)) : []));
    // Chunks of 500, four in flight: preparing one chunk overlaps Redis running the last.
    const chunks: (typeof commands)[] = [];
    for (let i = 0; i < commands.length; i += 500) chunks.push(commands.slice(i, i + 500));
    for (let i = 0; i < chunks.length; i += 4) {
      await Promise.all(
        chunks.slice(i, i + 4).map((chunk) =>
          queues.commands.addBulk(chunk.map((command) => ({ name: command.type, data: command, opts: { jobId: jobIdFor(command.id) } }))),
        ),
      );
    }
    const ids = entries.map(([id]) => id);
    await connection.multi().xack(store.keys.outbox, Group, ...ids).xdel(store.keys.outbox, ...ids).exec();
    metrics.commands.inc(commands.length);
    metrics.adds.inc({ name: QueueName.Commands }, commands.length);
    return entries.length;
  }
}
