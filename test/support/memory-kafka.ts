/**
 * Test support: an in-memory partitioned log with kafkajs' client surface,
 * for the Kafka bridge's tests where no broker runs. Faithful to kafkajs'
 * documented semantics for what the bridge uses, and no more:
 *
 * - topics of N partitions; a record's partition is kafkajs' own default
 *   partitioner's choice (murmur2 of the key, round-robin without one, or the
 *   partition given); offsets count from 0 per partition; values and header
 *   values are read back as Buffers;
 * - consumer groups keep a committed offset (the next to read) per
 *   partition; members share the subscribed partitions round-robin, and
 *   every join or leave reassigns them, each member starting an assigned
 *   partition at the committed offset (or, with none, at the start with
 *   `fromBeginning`, else at the end);
 * - `run({ eachBatch | eachMessage })`: one batch per partition at a time,
 *   up to `partitionsConsumedConcurrently` partitions at once; the next fetch
 *   of a partition starts at its last resolved offset + 1 (eachBatch's
 *   `eachBatchAutoResolve`, default true, resolves the whole batch); a
 *   handler that throws has its batch fetched again; `seek` takes effect at
 *   the partition's next fetch (a batch under way is then stale);
 *   `pause`/`resume` per partition; `commitOffsets` from a member no longer
 *   in the group fails (`UNKNOWN_MEMBER_ID`);
 * - `crash()` on a consumer: the member is gone from the group at once, as
 *   when its process dies (nothing it had not committed counts), and CRASH
 *   is emitted; the group's next consumer reads from the committed offsets;
 * - CONNECT, GROUP_JOIN, DISCONNECT and CRASH instrumentation events;
 * - `failSends(n, error)`: the next n sends throw `error` (a real kafkajs
 *   error class), for a sink's error handling.
 */
import { type ConsumerConfig, type ConsumerEvents, type ConsumerRunConfig, type ConsumerSubscribeTopic, type ConsumerSubscribeTopics, type EachBatchPayload, type IHeaders, type InstrumentationEvent, KafkaJSError, KafkaJSProtocolError, type KafkaMessage, type Message, Partitioners, type ProducerRecord, type RecordMetadata, type TopicPartitionOffset, type TopicPartitionOffsetAndMetadata } from 'kafkajs';

interface StoredRecord {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  readonly timestamp: string;
}

interface Group {
  readonly committed: Map<string, string>;
  members: MemoryConsumer[];
}

const consumerEvents: ConsumerEvents = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH_START: 'consumer.fetch_start',
  FETCH: 'consumer.fetch',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
  REQUEST: 'consumer.network.request',
  REQUEST_TIMEOUT: 'consumer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'consumer.network.request_queue_size',
};

const tp = (topic: string, partition: number) => `${topic}|${partition}`;
const buffer = (v: Buffer | string | null | undefined) => (v === null || v === undefined ? null : Buffer.from(v));
const protocolError = (type: string, code: number, retriable: boolean, message: string) => new KafkaJSProtocolError(Object.assign(new Error(message), { type, code, retriable }));

export class MemoryKafka {
  readonly #topics = new Map<string, StoredRecord[][]>();
  readonly #groups = new Map<string, Group>();
  readonly #partitioner = Partitioners.DefaultPartitioner();
  #failures: { count: number; error: Error } | undefined;

  createTopic(topic: string, partitions: number): void {
    if (this.#topics.has(topic)) throw new Error(`topic ${topic} exists`);
    this.#topics.set(topic, Array.from({ length: partitions }, () => []));
  }

  deleteTopic(topic: string): void {
    this.#topics.delete(topic);
  }

  /** The records of a partition, in offset order. */
  records(topic: string, partition: number): readonly StoredRecord[] {
    return this.#partitions(topic)[partition] ?? [];
  }

  partitionsOf(topic: string): number {
    return this.#partitions(topic).length;
  }

  /** The group's committed offset (the next to read) for a partition, if any. */
  committed(groupId: string, topic: string, partition: number): string | undefined {
    return this.#groups.get(groupId)?.committed.get(tp(topic, partition));
  }

  /** The next `count` sends throw `error`. */
  failSends(count: number, error: Error): void {
    this.#failures = { count, error };
  }

  producer(): MemoryProducer {
    return new MemoryProducer(this);
  }

  consumer(config: ConsumerConfig): MemoryConsumer {
    return new MemoryConsumer(this, config.groupId);
  }

  #partitions(topic: string): StoredRecord[][] {
    const partitions = this.#topics.get(topic);
    if (partitions === undefined) throw protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, true, 'This server does not host this topic-partition');
    return partitions;
  }

  /** @internal */
  append(record: ProducerRecord): RecordMetadata[] {
    if (this.#failures !== undefined && this.#failures.count > 0) {
      this.#failures.count--;
      throw this.#failures.error;
    }
    const partitions = this.#partitions(record.topic);
    const partitionMetadata = partitions.map((_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    return record.messages.map((message: Message) => {
      const partition = this.#partitioner({ topic: record.topic, partitionMetadata, message });
      const log = partitions[partition] as StoredRecord[];
      const headers: IHeaders = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.map((v) => Buffer.from(v)) : Buffer.from(value);
      }
      const offset = String(log.length);
      log.push({ offset, key: buffer(message.key), value: buffer(message.value), headers, timestamp: message.timestamp ?? String(Date.now()) });
      return { topicName: record.topic, partition, errorCode: 0, baseOffset: offset };
    });
  }

  /** @internal */
  group(groupId: string): Group {
    let group = this.#groups.get(groupId);
    if (group === undefined) this.#groups.set(groupId, (group = { committed: new Map(), members: [] }));
    return group;
  }

  /** @internal Share the subscribed partitions among the members, round-robin in join order. */
  rebalance(group: Group): void {
    const wanted = new Map<string, MemoryConsumer[]>();
    for (const member of group.members) {
      for (const topic of member.topics) {
        if (!this.#topics.has(topic)) continue;
        for (let p = 0; p < this.partitionsOf(topic); p++) {
          const key = tp(topic, p);
          wanted.set(key, [...(wanted.get(key) ?? []), member]);
        }
      }
    }
    const assignments = new Map<MemoryConsumer, [string, number][]>(group.members.map((m) => [m, []]));
    let i = 0;
    for (const [key, members] of wanted) {
      const [topic, p] = key.split('|') as [string, string];
      assignments.get(members[i++ % members.length] as MemoryConsumer)?.push([topic, Number(p)]);
    }
    for (const [member, partitions] of assignments) member.assign(partitions, group.committed, (topic) => this.records.bind(this, topic));
  }
}

export class MemoryProducer {
  #connected = false;
  constructor(private readonly kafka: MemoryKafka) {}
  async connect(): Promise<void> {
    this.#connected = true;
  }
  async disconnect(): Promise<void> {
    this.#connected = false;
  }
  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    if (!this.#connected) throw new KafkaJSError('The producer is disconnected');
    return this.kafka.append(record);
  }
}

/** A listener of any event: its payload is the event's own (`never` here, so every kafkajs listener type fits). */
type Listener = (event: InstrumentationEvent<never>) => void;

interface Assigned {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to fetch. */
  position: number;
  busy: boolean;
  paused: boolean;
  seek?: number;
  readonly read: (partition: number) => readonly StoredRecord[];
}

export class MemoryConsumer {
  readonly events = consumerEvents;
  topics: string[] = [];
  #fromBeginning = false;
  #listeners = new Map<string, Set<Listener>>();
  #eventId = 0;
  #inGroup = false;
  #running = false;
  #assigned = new Map<string, Assigned>();
  #config: ConsumerRunConfig = {};
  #loop: Promise<void> | undefined;
  readonly #batches = new Set<Promise<void>>();

  constructor(
    private readonly kafka: MemoryKafka,
    readonly groupId: string,
  ) {}

  on(eventName: string, listener: Listener): () => void {
    const set = this.#listeners.get(eventName) ?? new Set();
    this.#listeners.set(eventName, set.add(listener));
    return () => set.delete(listener);
  }

  #emit(type: string, payload: unknown): void {
    for (const listener of this.#listeners.get(type) ?? []) listener({ id: String(this.#eventId++), type, timestamp: Date.now(), payload: payload as never });
  }

  async connect(): Promise<void> {
    this.#emit(consumerEvents.CONNECT, null);
  }

  async subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void> {
    const topics = 'topics' in subscription ? subscription.topics : [subscription.topic];
    this.topics.push(...topics.map(String));
    this.#fromBeginning = subscription.fromBeginning ?? false;
  }

  async run(config: ConsumerRunConfig = {}): Promise<void> {
    this.#config = config;
    const group = this.kafka.group(this.groupId);
    group.members.push(this);
    this.#inGroup = true;
    this.#running = true;
    this.kafka.rebalance(group);
    this.#loop = this.#fetchLoop();
  }

  /** @internal Called by the group on every rebalance. */
  assign(partitions: [string, number][], committed: Map<string, string>, records: (topic: string) => (partition: number) => readonly StoredRecord[]): void {
    this.#assigned = new Map(
      partitions.map(([topic, partition]) => {
        const read = records(topic);
        const start = committed.get(tp(topic, partition));
        const position = start !== undefined ? Number(start) : this.#fromBeginning ? 0 : read(partition).length;
        return [tp(topic, partition), { topic, partition, position, busy: false, paused: false, read }];
      }),
    );
    this.#emit(consumerEvents.GROUP_JOIN, { groupId: this.groupId, memberAssignment: Object.fromEntries(partitions.map(([t, p]) => [t, [p]])) });
  }

  async #fetchLoop(): Promise<void> {
    const concurrency = this.#config.partitionsConsumedConcurrently ?? 1;
    while (this.#running) {
      for (const assigned of this.#assigned.values()) {
        if (this.#batches.size >= concurrency) break;
        if (assigned.seek !== undefined) {
          assigned.position = assigned.seek;
          delete assigned.seek;
        }
        if (assigned.busy || assigned.paused || assigned.position >= assigned.read(assigned.partition).length) continue;
        const batch = this.#process(assigned).finally(() => this.#batches.delete(batch));
        this.#batches.add(batch);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async #process(assigned: Assigned): Promise<void> {
    const { topic, partition } = assigned;
    const messages: KafkaMessage[] = assigned
      .read(partition)
      .slice(assigned.position, assigned.position + 100)
      .map((r) => ({ key: r.key, value: r.value, headers: r.headers, offset: r.offset, timestamp: r.timestamp, attributes: 0 }));
    const last = (messages[messages.length - 1] as KafkaMessage).offset;
    const current = () => this.#assigned.get(tp(topic, partition)) === assigned;
    const resolve = (offset: string) => {
      if (current()) assigned.position = Number(offset) + 1;
    };
    const pause = () => {
      assigned.paused = true;
      return () => {
        assigned.paused = false;
      };
    };
    assigned.busy = true;
    try {
      if (this.#config.eachBatch) {
        const payload: EachBatchPayload = {
          batch: {
            topic,
            partition,
            highWatermark: String(assigned.read(partition).length),
            messages,
            isEmpty: () => messages.length === 0,
            firstOffset: () => messages[0]?.offset ?? null,
            lastOffset: () => last,
            offsetLag: () => String(assigned.read(partition).length - 1 - Number(last)),
            offsetLagLow: () => String(assigned.read(partition).length - 1 - Number(messages[0]?.offset)),
          },
          resolveOffset: resolve,
          heartbeat: async () => {},
          pause,
          commitOffsetsIfNecessary: async () => {},
          uncommittedOffsets: () => ({ topics: [] }),
          isRunning: () => this.#running,
          isStale: () => !current() || assigned.seek !== undefined,
        };
        await this.#config.eachBatch(payload);
        if (this.#config.eachBatchAutoResolve ?? true) resolve(last);
      } else if (this.#config.eachMessage) {
        for (const message of messages) {
          if (!this.#running || !current() || assigned.seek !== undefined || assigned.paused) break;
          await this.#config.eachMessage({ topic, partition, message, heartbeat: async () => {}, pause });
          resolve(message.offset);
        }
      }
    } catch {
      // kafkajs retries a failed batch: it is fetched again from the last resolved offset, after a pause.
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      assigned.busy = false;
    }
  }

  async commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    if (!this.#inGroup) throw protocolError('UNKNOWN_MEMBER_ID', 25, false, 'The coordinator is not aware of this member');
    const group = this.kafka.group(this.groupId);
    for (const { topic, partition, offset } of offsets) group.committed.set(tp(topic, partition), String(BigInt(offset)));
    this.#emit(consumerEvents.COMMIT_OFFSETS, { groupId: this.groupId, topics: offsets });
  }

  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    if (this.#loop === undefined) throw new KafkaJSError('Consumer group was not initialized, consumer#run must be called first', { retriable: false });
    const assigned = this.#assigned.get(tp(topic, partition));
    if (assigned !== undefined) assigned.seek = Number(offset);
  }

  pause(topics: { topic: string; partitions?: number[] }[]): void {
    this.#setPaused(topics, true);
  }

  resume(topics: { topic: string; partitions?: number[] }[]): void {
    this.#setPaused(topics, false);
  }

  #setPaused(topics: { topic: string; partitions?: number[] }[], paused: boolean): void {
    for (const assigned of this.#assigned.values()) {
      if (topics.some((t) => t.topic === assigned.topic && (t.partitions === undefined || t.partitions.includes(assigned.partition)))) assigned.paused = paused;
    }
  }

  /** Stop fetching, wait for the batches under way, leave the group. */
  async disconnect(): Promise<void> {
    this.#running = false;
    await this.#loop;
    while (this.#batches.size > 0) await Promise.allSettled([...this.#batches]);
    this.#leave();
    this.#emit(consumerEvents.STOP, null);
    this.#emit(consumerEvents.DISCONNECT, null);
  }

  /** The process dies: gone from the group at once; batches under way can no longer commit. */
  crash(): void {
    this.#running = false;
    this.#leave();
    this.#emit(consumerEvents.CRASH, { error: new Error('crashed (simulated)'), groupId: this.groupId, restart: false });
  }

  #leave(): void {
    if (!this.#inGroup) return;
    this.#inGroup = false;
    this.#assigned = new Map();
    const group = this.kafka.group(this.groupId);
    group.members = group.members.filter((m) => m !== this);
    this.kafka.rebalance(group);
  }
}
