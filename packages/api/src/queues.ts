/**
 * The queues (docs/contract.md §4): their names, BullMQ's key prefix for a cluster,
 * job ids, and what a job of each queue everynode shares with other
 * processes carries. BullMQ's `prefix` is the cluster's hash tag `{prefix}`,
 * so queue keys and the log's keys share one Redis Cluster slot, and several
 * clusters can share one Redis.
 */
import * as z from 'zod';
import { lazySchema } from './lazy-schema.ts';
import { PodCommandSchema } from './commands.ts';
import { ClusterEventSchema } from './events.ts';

export const QueueName = {
  /** CloudEvents in: job data is one CloudEvent (or, from our own ingress, an array of them). */
  Events: 'events',
  /** One job per DaemonSet key at a time (deduplicated), running a reconcile pass. */
  Reconcile: 'reconcile',
  /** Commands out: job data is one command CloudEvent, job id derived from its deterministic id. */
  Commands: 'commands',
  /** Refused events, with the reason, kept for inspection. */
  DeadLetter: 'dead-letter',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** BullMQ's `prefix` for a cluster prefix: `{prefix}`, a Redis Cluster hash tag that keeps all its keys in one slot. */
export function queuePrefix(prefix: string): string {
  return `{${prefix}}`;
}

/**
 * A BullMQ job id for a CloudEvent id: BullMQ refuses `:` in custom ids, so
 * `%` and `:` are escaped. The escape is reversible: two different ids never
 * share a job id.
 */
export function jobIdFor(id: string): string {
  return id.replaceAll('%', '%25').replaceAll(':', '%3A');
}

/** One part of an event's job id: `%`, `:` and `/` escaped, so the parts never run into each other. */
const jobIdPart = (text: string) => text.replaceAll('%', '%25').replaceAll(':', '%3A').replaceAll('/', '%2F');

/**
 * The job id of an `events` job holding one event: its source and id, each
 * escaped, joined by `/`. Two events share one only when they share
 * `(source, id)` — the log's identity — so a resubmission is a BullMQ no-op
 * and nothing else is (source `a/b` with id `c` and source `a` with id `b/c`
 * are two events, two jobs).
 */
export function eventJobId(event: { readonly source: string; readonly id: string }): string {
  return `${jobIdPart(event.source)}/${jobIdPart(event.id)}`;
}

/**
 * An `events` job: one CloudEvent (an agent's report, an external
 * producer's event), or an array of them from everynode's own ingress. The
 * events worker admits each one on its own (a refused one is dead-lettered),
 * so it reads the data as unknown; producers write this.
 */
export const EventsJobDataSchema = lazySchema(() => z.union([ClusterEventSchema, z.array(ClusterEventSchema).readonly()]));
export type EventsJobData = z.infer<typeof EventsJobDataSchema>;

/** A `commands` job: one command CloudEvent; its job id is `jobIdFor(command.id)`. */
export const CommandsJobDataSchema = PodCommandSchema;
export type CommandsJobData = z.infer<typeof CommandsJobDataSchema>;

/** A `dead-letter` job: an event that was refused, as it came, and why. */
export const DeadLetterJobDataSchema = lazySchema(() => z.object({
  /** The event as submitted (it did not pass validation, so it is whatever it was). */
  event: z.unknown(),
  /** What was wrong with it, naming the field. */
  reason: z.string(),
  /** The `events` job it came in, when it came through the queue. */
  jobId: z.string().optional(),
  /** The bus, subject and offset it was read from, when a bridge brought it. */
  origin: z.object({ bus: z.string(), subject: z.string(), offset: z.string().optional() }).optional(),
  /** When it was refused (RFC 3339). */
  at: z.string(),
  /**
   * Set when `event` is not the message itself but its JSON text: the first
   * `kept` of its `bytes` bytes (a message too big to keep whole, or nested
   * too deep to store as JSON). Such a letter is shown but not replayed.
   */
  keptAsText: z.object({ bytes: z.number().int().nonnegative(), kept: z.number().int().nonnegative() }).optional(),
}));
export type DeadLetterJobData = z.infer<typeof DeadLetterJobDataSchema>;
