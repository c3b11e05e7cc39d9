/**
 * The dead-letter queue, bounded. A refused event or a parked message is
 * kept with its reason for an operator to inspect, replay or drop — but not
 * at any size or in any number: a fuzzer, or a producer gone wrong, must not
 * fill Redis with refusals.
 *
 * - Size: a message whose JSON is longer than `maxBytes` (or nested too deep
 *   to store as JSON) is kept as the first `maxBytes` of its JSON text, with
 *   its size noted (`keptAsText`); such a letter is shown, not replayed.
 * - Count: past `maxCount` letters the oldest are dropped, each counted in
 *   `everynode_dead_letters_dropped_total`.
 */
import { boundedJson, cutToBytes, type DeadLetterJobData, jsonShapeProblem, truncateText, utf8Length } from '@everynode/api';
import type { Queue } from 'bullmq';
import { ReasonMaxChars } from './admission.ts';
import type { Metrics } from './metrics.ts';

export interface DeadLetterLimits {
  /** Bytes of a message's JSON kept whole; a longer one is cut to this many. Default 64 KiB. */
  readonly maxBytes?: number;
  /** Dead letters kept at most; the oldest beyond are dropped. Default 10,000. */
  readonly maxCount?: number;
}

export const DefaultDeadLetterLimits = { maxBytes: 64 * 1024, maxCount: 10_000 } as const satisfies Required<DeadLetterLimits>;

/** Deeper than this, a message is not handed to BullMQ (whose `JSON.stringify` recurses) but kept as text. */
const storableDepth = 256;

/** Counting a message's size stops here (a cyclic value, from a caller in this process, never ends). */
const countUpTo = 256 * 1024 * 1024;

/** One letter to keep: what came, why it was refused, and where it came from. */
export interface Letter {
  /** `refused`: an event that failed validation; `parked`: a message that is no event, or an event whose job failed for good. */
  readonly kind: 'refused' | 'parked';
  readonly message: unknown;
  readonly reason: string;
  readonly origin?: DeadLetterJobData['origin'];
  /** The `events` job it came in. */
  readonly jobId?: string;
}

/**
 * The job data for `letter`: the message as it came when it is small and
 * shallow enough, else the first `maxBytes` of its JSON text.
 */
export function deadLetterData(letter: Letter, maxBytes: number = DefaultDeadLetterLimits.maxBytes, at = new Date()): DeadLetterJobData {
  const base = {
    reason: truncateText(letter.reason, ReasonMaxChars),
    at: at.toISOString(),
    ...(letter.jobId === undefined ? {} : { jobId: letter.jobId }),
    ...(letter.origin === undefined ? {} : { origin: letter.origin }),
  };
  const { message } = letter;
  if (typeof message === 'string') {
    // A text (a bus message that is not JSON) is cut as text, not quoted.
    const bytes = utf8Length(message);
    if (bytes <= maxBytes) return { ...base, event: message };
    const text = cutToBytes(message, maxBytes);
    return { ...base, event: text, keptAsText: { bytes, kept: utf8Length(text) } };
  }
  const { text, bytes, whole } = boundedJson(message, maxBytes, countUpTo);
  if (whole && bytes <= maxBytes && jsonShapeProblem(message, storableDepth, { keys: false }) === undefined) return { ...base, event: message };
  return { ...base, event: text, keptAsText: { bytes, kept: utf8Length(text) } };
}

/** The `dead-letter` queue with its bounds: every producer of dead letters adds through this. */
export class DeadLetterQueue {
  readonly maxBytes: number;
  readonly maxCount: number;

  constructor(
    readonly queue: Queue<DeadLetterJobData>,
    private readonly metrics: Pick<Metrics, 'deadLettersDropped'> | undefined,
    limits: DeadLetterLimits = {},
  ) {
    this.maxBytes = limits.maxBytes ?? DefaultDeadLetterLimits.maxBytes;
    this.maxCount = limits.maxCount ?? DefaultDeadLetterLimits.maxCount;
  }

  /** Keep `letters` (bounded in size), then drop the oldest beyond `maxCount`. */
  async add(letters: readonly Letter[]): Promise<void> {
    if (letters.length === 0) return;
    const at = new Date();
    await this.queue.addBulk(letters.map((letter) => ({ name: letter.kind, data: deadLetterData(letter, this.maxBytes, at) })));
    await this.dropOldest();
  }

  /**
   * Drop the oldest letters beyond `maxCount`. Two processes trimming at once
   * find the same oldest letters; a letter is counted by the one whose
   * remove took it.
   */
  private async dropOldest(): Promise<void> {
    const excess = (await this.queue.getWaitingCount()) - this.maxCount;
    if (excess <= 0) return;
    const oldest = await this.queue.getJobs(['waiting'], 0, excess - 1, true);
    let dropped = 0;
    for (const job of oldest) {
      if (job?.id !== undefined && (await this.queue.remove(job.id)) === 1) dropped++;
    }
    this.metrics?.deadLettersDropped.inc(dropped);
  }
}
