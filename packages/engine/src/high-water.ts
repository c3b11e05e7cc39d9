/**
 * Back-pressure: whether the engine's backlog (events queued, not yet taken
 * up by a worker — `EventIngress.backlog()`) is past a high-water mark.
 * Past the mark the gauge says "full" until the backlog is down to half of
 * it (hysteresis, so a producer does not flap at the mark). One reading of
 * the backlog serves every caller for `readingMs`, so a burst of requests
 * costs Redis one count, not one each.
 *
 * Bridges wait (`waitBelow`: the bus keeps the burst); the API answers
 * 429 with `Retry-After` (`isFull`: the client keeps it).
 */

/** The high-water mark's default: 10,000 queued event jobs. */
export const defaultHighWaterMark = 10_000;

export interface HighWaterOptions {
  /** Full past this many queued jobs; not full again at half of it. Default `defaultHighWaterMark`; 0 turns the gauge off. */
  readonly highWaterMark?: number;
  /** How long one reading of the backlog serves. Default 100 ms. */
  readonly readingMs?: number;
  /** Told each time the gauge turns full or not full. */
  readonly onChange?: (full: boolean, backlog: number, highWaterMark: number) => void;
}

export class HighWaterGauge {
  readonly highWaterMark: number;
  private readonly readingMs: number;
  private full = false;
  private reading: Promise<number> | undefined;
  private readAt = 0;

  constructor(
    private readonly backlog: () => Promise<number>,
    private readonly options: HighWaterOptions = {},
  ) {
    this.highWaterMark = options.highWaterMark ?? defaultHighWaterMark;
    this.readingMs = options.readingMs ?? 100;
  }

  /** The backlog as last read (read again when the reading is older than `readingMs`). */
  current(): Promise<number> {
    if (this.reading === undefined || Date.now() - this.readAt >= this.readingMs) {
      this.readAt = Date.now();
      this.reading = this.backlog();
      // A failed reading is not kept: the next caller reads again.
      this.reading.catch(() => (this.reading = undefined));
    }
    return this.reading;
  }

  /** True while the backlog is past the mark (and until it is down to half). */
  async isFull(): Promise<boolean> {
    if (this.highWaterMark <= 0) return false;
    const queued = await this.current();
    if (!this.full && queued > this.highWaterMark) this.turn(true, queued);
    else if (this.full && queued <= Math.floor(this.highWaterMark / 2)) this.turn(false, queued);
    return this.full;
  }

  /** Resolves once the gauge is not full (at once, most of the time). */
  async waitBelow(): Promise<void> {
    while (await this.isFull()) await new Promise((resolve) => setTimeout(resolve, this.readingMs));
  }

  private turn(full: boolean, queued: number): void {
    this.full = full;
    this.options.onChange?.(full, queued, this.highWaterMark);
  }
}
