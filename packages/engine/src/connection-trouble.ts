/**
 * Connection trouble, told without flooding the log. During an outage
 * ioredis retries every few hundred milliseconds, and every BullMQ queue and
 * worker on a connection repeats the connection's errors: left alone, that
 * is dozens of lines a second for as long as the outage lasts. Here each
 * distinct message, whichever source repeats it, is logged once, then at
 * most once per `quietMs` (with how many were held back); the first
 * connection ready again after trouble is logged once.
 *
 * Only an error's message and code are logged, never the error: an ioredis
 * `ReplyError` carries the command that failed, and for `AUTH` its argument
 * is the password.
 */
import type { EventEmitter } from 'node:events';

/** The logger this needs (pino's has it). */
export interface TroubleLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface ConnectionTroubleOptions {
  /** How long a message, once logged, stays quiet. Default 30 s. */
  readonly quietMs?: number;
  /** The clock. Default `Date.now`. */
  readonly now?: () => number;
}

export class ConnectionTrouble {
  private readonly logged = new Map<string, { at: number; held: number }>();
  private readonly quietMs: number;
  private readonly now: () => number;

  constructor(
    private readonly logger: TroubleLogger,
    options: ConnectionTroubleOptions = {},
  ) {
    this.quietMs = options.quietMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Report `emitter`'s `error` events as `source`'s, and its `ready` events
   * (an ioredis client's after each reconnect) as its recovery. With a
   * listener attached, ioredis no longer prints "Unhandled error event" and
   * BullMQ no longer falls back to `console.error`.
   */
  watch(source: string, emitter: EventEmitter): void {
    emitter.on('error', (error: unknown) => this.error(source, error));
    emitter.on('ready', () => this.ready(source));
  }

  /** Log `error` unless its message was logged less than `quietMs` ago. */
  error(source: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | undefined)?.code;
    const now = this.now();
    const last = this.logged.get(message);
    if (last && now - last.at < this.quietMs) {
      last.held++;
      return;
    }
    this.logged.set(message, { at: now, held: 0 });
    this.logger.warn({ source, error: message, ...(typeof code === 'string' ? { code } : {}), ...(last?.held ? { heldBack: last.held } : {}) }, `${source}: ${message} (retrying; repeats are held back for ${Math.round(this.quietMs / 1000)} s)`);
  }

  /** After trouble: log, once, that `source` works again, and forget what was logged (a new outage is told afresh). */
  ready(source: string): void {
    if (this.logged.size === 0) return;
    this.logged.clear();
    this.logger.info({ source }, `${source}: connected again`);
  }
}
