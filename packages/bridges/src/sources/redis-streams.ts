/**
 * Redis Streams in: a stream the user already writes to, read through a
 * consumer group (created, with MKSTREAM, when missing).
 *
 * Message mapping: an entry's `data` field (or, without one, its `body`
 * field) is the message body, as bytes; every other field is a header, by
 * its lower-cased name — so `ce-id`, `ce-source`, `ce-type`, `content-type`
 * … make a binary-mode CloudEvent, and a lone `data` field holding a JSON
 * event with `specversion` is a structured one. The origin's offset is the
 * entry id.
 *
 * Guarantees: XREADGROUP takes at most `maxInFlight` entries at a time
 * (COUNT, minus the ones still being handled); an entry is XACKed only after
 * the handler resolves. An entry whose handler rejected, or whose consumer
 * died, stays pending and is claimed again with XAUTOCLAIM once it has been
 * idle `claimIdleMs` — by this consumer or any other in the group — so it
 * is delivered at least once. Redis Streams has no negative acknowledgement
 * and no delivery limit: a handler that always rejects redelivers forever
 * (the inbound handler parks what cannot be an event, so only an
 * unreachable engine does that). ioredis reconnects with backoff; the loop
 * retries its reads after an error (recreating the group if the stream was
 * deleted), so it survives a connection drop.
 */
import { openRedis, type RedisClient } from '@everynode/engine';
import type { Logger } from 'pino';
import type { InboundMessage, InboundSource, MessageHandler } from '../source.ts';

export interface RedisStreamsSourceOptions {
  /** `redis://…` with any credentials already resolved (never logged). */
  readonly url: string;
  readonly stream: string;
  readonly group: string;
  /** This consumer's name in the group; default `bridge-<pid>-<random>`. */
  readonly consumer?: string;
  /** Where a new group starts: `$` (entries added from now on, default) or `0` (the whole stream). */
  readonly startAt?: '$' | '0';
  /** Entries handled at once. Default 16. */
  readonly maxInFlight?: number;
  /** XREADGROUP's BLOCK. Default 1000 ms. */
  readonly blockMs?: number;
  /** A pending entry idle this long is claimed again (redelivered). Default 30 s. */
  readonly claimIdleMs?: number;
  readonly logger: Logger;
}

type Entry = [id: Buffer, fields: Buffer[]];

export class RedisStreamsSource implements InboundSource {
  private readonly reader: RedisClient;
  private readonly writer: RedisClient;
  private readonly consumer: string;
  private readonly maxInFlight: number;
  private readonly blockMs: number;
  private readonly claimIdleMs: number;
  private running = false;
  private reading = false;
  private loop: Promise<void> | undefined;
  private readonly active = new Set<Promise<void>>();
  /** Entry ids being handled now: a claim that returns one of them is not handled twice. */
  private readonly handling = new Set<string>();
  private lastClaim = 0;

  constructor(private readonly options: RedisStreamsSourceOptions) {
    // A `redis+cluster://` URL names a Redis Cluster: the stream's key lives on its slot's master.
    const open = () => openRedis(options.url, { redisOptions: { maxRetriesPerRequest: null, connectionName: `everynode-bridge:${options.stream}` }, client: { lazyConnect: true } });
    this.reader = open();
    this.writer = open();
    for (const client of [this.reader, this.writer]) client.on('error', (error: Error) => options.logger.debug({ err: { message: error.message } }, 'redis-streams: connection error'));
    this.consumer = options.consumer ?? `bridge-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.maxInFlight = options.maxInFlight ?? 16;
    this.blockMs = options.blockMs ?? 1000;
    this.claimIdleMs = options.claimIdleMs ?? 30_000;
  }

  async start(handler: MessageHandler): Promise<void> {
    await Promise.all([this.reader.connect(), this.writer.connect()]);
    await this.ensureGroup();
    this.running = true;
    this.reading = true;
    this.loop = this.consume(handler);
  }

  connected(): boolean {
    return this.running && this.reading && this.reader.status === 'ready' && this.writer.status === 'ready';
  }

  async close(): Promise<void> {
    this.running = false;
    this.reader.disconnect();
    await this.loop;
    await Promise.allSettled([...this.active]);
    await this.writer.quit().catch(() => undefined);
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.writer.xgroup('CREATE', this.options.stream, this.options.group, this.options.startAt ?? '$', 'MKSTREAM');
    } catch (error) {
      if (!(error as Error).message.startsWith('BUSYGROUP')) throw error;
    }
  }

  private async consume(handler: MessageHandler): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (this.active.size >= this.maxInFlight) {
          await Promise.race(this.active);
          continue;
        }
        const free = this.maxInFlight - this.active.size;
        let entries: Entry[] = [];
        if (Date.now() - this.lastClaim >= Math.min(this.claimIdleMs, 1000)) {
          this.lastClaim = Date.now();
          const claimed = (await this.writer.callBuffer('XAUTOCLAIM', this.options.stream, this.options.group, this.consumer, this.claimIdleMs, '0-0', 'COUNT', free)) as unknown[];
          entries = ((claimed[1] ?? []) as (Entry | null)[]).filter((e): e is Entry => e !== null && !this.handling.has(e[0].toString()));
        }
        if (entries.length === 0) {
          const block = Math.min(this.blockMs, this.claimIdleMs);
          const read = (await this.reader.callBuffer('XREADGROUP', 'GROUP', this.options.group, this.consumer, 'COUNT', free, 'BLOCK', block, 'STREAMS', this.options.stream, '>')) as [Buffer, Entry[]][] | null;
          entries = read?.[0]?.[1] ?? [];
        }
        this.reading = true;
        failures = 0;
        for (const entry of entries) this.dispatch(handler, entry);
      } catch (error) {
        if (!this.running) break;
        this.reading = false;
        failures++;
        const message = (error as Error).message;
        this.options.logger.warn({ stream: this.options.stream, err: { message } }, 'redis-streams: read failed; retrying');
        if (message.startsWith('NOGROUP')) await this.ensureGroup().catch(() => undefined);
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** Math.min(failures, 6), 5000)));
      }
    }
  }

  private dispatch(handler: MessageHandler, [idBuffer, fields]: Entry): void {
    const id = idBuffer.toString();
    this.handling.add(id);
    const task = (async () => {
      try {
        await handler(toMessage(this.options.stream, id, fields));
        await this.writer.xack(this.options.stream, this.options.group, id);
      } catch {
        // Left pending: XAUTOCLAIM hands it out again after claimIdleMs.
      } finally {
        this.handling.delete(id);
      }
    })();
    this.active.add(task);
    void task.finally(() => this.active.delete(task));
  }
}

/** An entry's fields as a message: `data` (or `body`) is the body, the rest are headers. */
export function toMessage(stream: string, id: string, fields: readonly Buffer[]): InboundMessage {
  const headers: Record<string, string> = {};
  let data: Buffer | undefined;
  let body: Buffer | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = (fields[i] as Buffer).toString().toLowerCase();
    const value = fields[i + 1] as Buffer;
    if (name === 'data') data = value;
    else if (name === 'body') body = value;
    else headers[name] = value.toString();
  }
  if (data !== undefined && body !== undefined) headers.body = body.toString();
  return { body: new Uint8Array(data ?? body ?? Buffer.alloc(0)), headers, origin: { bus: 'redis-streams', subject: stream, offset: id } };
}
