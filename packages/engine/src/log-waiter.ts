/**
 * Waiting for the log to grow: every watch of an engine asks "tell me when
 * the log goes past seq N", and all of them share ONE blocking Redis
 * connection. While anyone waits, the connection sits in
 * `XREAD BLOCK` on the log stream after the lowest seq waited on; when an
 * entry arrives it reads the last seq (`{p}:seq`, written by the same
 * commit as the entry) and wakes every waiter that seq passes. Nobody
 * waiting: no Redis command at all. The connection is opened on the first
 * wait and closed with the engine.
 *
 * Guarantees: a waiter is woken once the last seq is past its `after` (at
 * once when it already is: a waiter behind the blocked read costs one GET),
 * or resolves false on its timeout or abort; waiters never poll Redis. A Redis error rejects the waiters
 * then waiting (their watches end; the client reconnects), and the next
 * wait starts the loop again.
 */
import type { RedisClient } from '@everynode/eventlog';

/** One `waitForSeq` call. */
interface Waiter {
  readonly after: number;
  readonly settle: (woken: boolean) => void;
  readonly fail: (error: unknown) => void;
}

export interface LogWaiterOptions {
  /** Opens the connection the waiter blocks on (its own: a blocked connection serves nobody else). */
  readonly connect: () => RedisClient;
  /** The log stream (`{p}:log`, entry ids `<seq>-0`) and the last-seq key (`{p}:seq`). */
  readonly keys: { readonly log: string; readonly seq: string };
  /**
   * The last seq, read on a connection that is not blocked: asked once for
   * a waiter that comes behind the blocked read (which waits past its seq).
   */
  readonly lastSeq: () => Promise<number>;
  /**
   * Longest single `XREAD BLOCK`, in ms. Default 5 000: when the last
   * waiter has gone, the connection is idle again within this long.
   */
  readonly blockMs?: number;
}

/** The seq of a stream entry id `<seq>-0`. */
const seqOfId = (id: string) => Number(id.slice(0, id.indexOf('-')));

export class LogWaiter {
  readonly #options: LogWaiterOptions;
  readonly #waiters = new Set<Waiter>();
  #connection: RedisClient | undefined;
  /** The highest last seq read so far. */
  #known = 0;
  /** The read loop, while it runs. */
  #loop: Promise<void> | undefined;
  /** The seq the blocked read waits past, while it is blocked. */
  #reading: number | undefined;
  #closed = false;

  constructor(options: LogWaiterOptions) {
    this.#options = options;
  }

  /**
   * Resolve true once the log's last seq is greater than `after`; false
   * after `timeoutMs`, when `signal` aborts, or when the waiter closes
   * first. Rejects when Redis fails while it waits.
   */
  wait(after: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#closed || signal?.aborted) return Promise.resolve(false);
    if (after < this.#known) return Promise.resolve(true);
    return new Promise<boolean>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiters.delete(waiter);
      };
      const waiter: Waiter = {
        after,
        settle: (woken) => {
          done();
          resolve(woken);
        },
        fail: (error) => {
          done();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      };
      const onAbort = () => waiter.settle(false);
      const timer = setTimeout(onAbort, Math.max(0, timeoutMs));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
      if (this.#reading !== undefined && after < this.#reading) void this.#check(waiter);
      this.#loop ??= this.#run().finally(() => {
        this.#loop = undefined;
      });
    });
  }

  /** The read under way waits past `waiter`'s seq, which the log may have passed already: look once. */
  async #check(waiter: Waiter): Promise<void> {
    try {
      this.#advance(await this.#options.lastSeq());
    } catch (error) {
      waiter.fail(error);
    }
  }

  /** Waiters waiting now (for tests and metrics). */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Wake every waiter with false, interrupt the blocked read and close the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of [...this.#waiters]) waiter.settle(false);
    // A blocked XREAD answers nothing until its BLOCK ends: disconnect is what interrupts it.
    this.#connection?.disconnect();
    await this.#loop;
  }

  async #run(): Promise<void> {
    try {
      while (!this.#closed && this.#waiters.size > 0) {
        const from = Math.max(this.#known, Math.min(...[...this.#waiters].map((w) => w.after)));
        const connection = (this.#connection ??= this.#options.connect());
        this.#reading = from;
        // COUNT 1: an entry can be large (a pass's pods); the last seq is read apart.
        const reply = (await connection
          .xread('COUNT', 1, 'BLOCK', this.#options.blockMs ?? 5000, 'STREAMS', this.#options.keys.log, `${from}-0`)
          .finally(() => (this.#reading = undefined))) as [string, [string, string[]][]][] | null;
        if (this.#closed) return;
        const id = reply?.[0]?.[1][0]?.[0];
        if (id === undefined) continue;
        const last = Number((await connection.get(this.#options.keys.seq)) ?? 0);
        this.#advance(Math.max(seqOfId(id), last));
      }
    } catch (error) {
      if (this.#closed) return;
      for (const waiter of [...this.#waiters]) waiter.fail(error);
    }
  }

  /** Record `seq` as read and wake the waiters it passes. */
  #advance(seq: number): void {
    if (seq > this.#known) this.#known = seq;
    for (const waiter of [...this.#waiters]) if (waiter.after < this.#known) waiter.settle(true);
  }
}
