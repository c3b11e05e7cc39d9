/**
 * What the log holds (docs/contract.md §4 `GET /log`): every accepted event and every
 * pass's decisions, each with its sequence number. The log is the truth; the
 * projection is derived from it. `GET /log`, `GET /log/export` and the
 * client read these shapes; the event log writes them.
 *
 * The entry's own fields are checked; the CloudEvent and the decisions in it
 * are `carried` (see `carried.ts`).
 */
import * as z from 'zod';
import { lazySchema } from './lazy-schema.ts';
import { carried } from './carried.ts';
import { DecisionSchema } from './decisions.ts';
import { ClusterEventSchema } from './events.ts';

const SeqSchema = lazySchema(() => z.number().int());

/** Schema version (see eventlog's `upcast.ts`): written with every entry; `readLog` gives the current one. */
const VersionSchema = lazySchema(() => z.number().int().optional());

/** An accepted event. `applied: false` when it was stale or changed nothing (still recorded as seen). */
export const EventEntrySchema = lazySchema(() => z
  .object({
    seq: SeqSchema,
    v: VersionSchema,
    kind: z.literal('event'),
    /** When the engine accepted it (RFC 3339). */
    at: z.string(),
    event: carried(ClusterEventSchema),
    applied: z.boolean(),
    ignored: z.string().optional(),
  })
  .readonly());
export type EventEntry = z.infer<typeof EventEntrySchema>;

/** One reconcile pass over one DaemonSet, with what it decided. */
export const PassEntrySchema = lazySchema(() => z
  .object({
    seq: SeqSchema,
    v: VersionSchema,
    kind: z.literal('pass'),
    /** The pass's `now` (RFC 3339): replay decides nothing, it re-applies these. */
    at: z.string(),
    /** `namespace/name` of the DaemonSet. */
    daemonSet: z.string(),
    decisions: z.array(carried(DecisionSchema)).readonly(),
    /** Log sequence numbers of the events that made this pass necessary. */
    causes: z.array(SeqSchema).readonly(),
    /**
     * The same causes by the node they concern (`*`: every node, e.g. the
     * DaemonSet changed): a decision about node N was caused by
     * `causedBy[N]` and `causedBy['*']`. Absent in entries written before it existed.
     */
    causedBy: z.record(z.string(), z.array(SeqSchema).readonly()).readonly().optional(),
  })
  .readonly());
export type PassEntry = z.infer<typeof PassEntrySchema>;

export const LogEntrySchema = lazySchema(() => z.discriminatedUnion('kind', [EventEntrySchema, PassEntrySchema]));
export type LogEntry = z.infer<typeof LogEntrySchema>;
