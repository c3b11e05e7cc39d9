/**
 * A node agent that knows only NATS: it takes everynode's pod commands from
 * a JetStream subject and answers with pod events on another, as CloudEvents
 * (binary mode: `ce-*` headers, `content-type`, the data as the body). It
 * knows nothing of BullMQ or Redis — a stand-in for a real kubelet-side
 * agent, playing every node at once:
 *
 * - `io.everynode.pod.create` → after `startDelayMs`, `io.everynode.pod.status`
 *   with the pod Running (and Ready) on the command's node;
 * - `io.everynode.pod.delete` → `io.everynode.pod.deleted` (a start still
 *   pending for that pod is called off).
 *
 * Commands come through a durable consumer with explicit acks: a command is
 * acked once its event is stored by JetStream, so one in hand when the agent
 * dies is delivered again (after the consumer's `ack_wait`, 30 s). A command id seen before is acked and dropped;
 * an event's id derives from its command's (`<command id>/status`,
 * `…/deleted`) and is its `Nats-Msg-Id`, so an event sent twice is stored
 * once, and the engine drops any copy by id too.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { CommandType, EventType, objectKey, PodCommandSchema, type CreatePodCommand, type DeletePodCommand, type PodCommand, type PodDeleted, type PodStatusReported } from '@everynode/api';

export interface NatsAgentOptions {
  /** `nats://host:port`. */
  readonly servers: string;
  /** Where the commands are: the stream (created when missing) and the subject. */
  readonly commands: { readonly stream: string; readonly subject: string };
  /** The subject pod events are published to (a stream the inbound bridge reads must take it). */
  readonly eventsSubject: string;
  /** The durable consumer's name: keep it across restarts to resume. Default `nats-agent`. */
  readonly durable?: string;
  /** How long a pod takes to start. Default 50 ms. */
  readonly startDelayMs?: number;
  /** The events' CloudEvents `source`. Default `everynode/nats-agent`. */
  readonly source?: string;
  /** How many command ids are remembered to drop repeats. Default 10 000. */
  readonly recentCommands?: number;
  /** Where to say what it did. Default: nowhere. */
  readonly log?: (line: string) => void;
}

export interface NatsAgent {
  /** Commands carried out by this process. */
  readonly executed: number;
  /** Commands dropped as seen before. */
  readonly duplicates: number;
  /** Stop taking commands, finish those in hand, drain the connection. Idempotent. */
  close(): Promise<void>;
}

export async function startNatsAgent(options: NatsAgentOptions): Promise<NatsAgent> {
  const { stream, subject } = options.commands;
  const durable = options.durable ?? 'nats-agent';
  const source = options.source ?? 'everynode/nats-agent';
  const log = options.log ?? (() => {});
  const nc = await connect({ servers: options.servers, maxReconnectAttempts: -1, reconnectTimeWait: 500, name: `everynode-nats-agent:${durable}` });
  await ensureConsumer(nc, stream, subject, durable);

  const seen = new Set<string>();
  const starting = new Map<string, AbortController>();
  const inHand = new Set<Promise<void>>();
  let executed = 0;
  let duplicates = 0;
  let running = true;
  let messages: ConsumerMessages | undefined;
  let closing: Promise<void> | undefined;

  /** Ids of commands taken, the most recent `recentCommands` (oldest forgotten first). */
  const remember = (id: string) => {
    seen.add(id);
    for (const oldest of seen) {
      if (seen.size <= (options.recentCommands ?? 10_000)) break;
      seen.delete(oldest);
    }
  };

  const report = async (event: PodStatusReported | PodDeleted) => {
    const { data, datacontenttype, ...attributes } = event;
    const h = natsHeaders();
    h.set('content-type', datacontenttype ?? 'application/json');
    for (const [key, value] of Object.entries(attributes)) if (value !== undefined) h.set(`ce-${key}`, String(value));
    await jetstream(nc).publish(options.eventsSubject, JSON.stringify(data), { headers: h, msgID: event.id });
  };

  const start = async (command: CreatePodCommand) => {
    const key = objectKey(command.data.metadata);
    const cancel = new AbortController();
    starting.set(key, cancel);
    const startedAt = new Date().toISOString();
    try {
      await sleep(options.startDelayMs ?? 50, undefined, { signal: cancel.signal });
    } catch {
      log(`${key}: deleted before it started`);
      return;
    } finally {
      if (starting.get(key) === cancel) starting.delete(key);
    }
    await report(podRunning(command, startedAt, source));
    log(`${key}: Running on ${command.subject}`);
  };

  const remove = async (command: DeletePodCommand) => {
    const key = objectKey(command.data.metadata);
    starting.get(key)?.abort();
    await report(podDeleted(command, source));
    log(`${key}: deleted (${command.data.reason})`);
  };

  const handle = async (m: JsMsg) => {
    const command = commandOf(m);
    if (command === undefined) {
      log(`stream seq ${m.seq}: not a pod command; dropped`);
      m.term();
      return;
    }
    if (seen.has(command.id)) {
      duplicates++;
      m.ack();
      return;
    }
    remember(command.id);
    try {
      await (command.type === CommandType.CreatePod ? start(command) : remove(command));
      executed++;
      m.ack();
    } catch (error) {
      // The event could not be published: forget the command and have it delivered again.
      seen.delete(command.id);
      log(`${command.id}: ${(error as Error).message}; will retry`);
      m.nak(1000);
    }
  };

  const loop = (async () => {
    while (running) {
      try {
        messages = await (await jetstream(nc).consumers.get(stream, durable)).consume({ max_messages: 64 });
        for await (const m of messages) {
          const task = handle(m);
          inHand.add(task);
          void task.finally(() => inHand.delete(task));
        }
      } catch (error) {
        if (running) log(`consuming failed (${(error as Error).message}); trying again`);
      }
      if (running) await sleep(500);
    }
  })();

  return {
    get executed() {
      return executed;
    },
    get duplicates() {
      return duplicates;
    },
    close() {
      closing ??= (async () => {
        running = false;
        await messages?.close();
        await loop;
        await Promise.allSettled([...inHand]);
        // Drained, not just closed: the server has seen the last acks and the pull's end before this resolves.
        await nc.drain();
      })();
      return closing;
    },
  };
}

/** The commands' stream (when missing) and the agent's durable consumer on it. */
async function ensureConsumer(nc: NatsConnection, stream: string, subject: string, durable: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.info(stream).catch(() => jsm.streams.add({ name: stream, subjects: [subject] }));
  await jsm.consumers.info(stream, durable).catch(() =>
    jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: subject, max_ack_pending: 64 }),
  );
}

/** The command a message carries, in either content mode; undefined when it is none. */
function commandOf(m: JsMsg): PodCommand | undefined {
  try {
    const contentType = m.headers?.get('content-type') ?? '';
    let event: Record<string, unknown>;
    if (contentType.startsWith('application/cloudevents+json')) event = m.json();
    else {
      event = { data: m.json(), datacontenttype: contentType || undefined };
      for (const key of m.headers?.keys() ?? []) if (key.toLowerCase().startsWith('ce-')) event[key.slice(3).toLowerCase()] = m.headers?.get(key);
    }
    const parsed = PodCommandSchema.safeParse(event);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** `io.everynode.pod.status`: the pod Running and Ready on the node the command named. */
function podRunning(command: CreatePodCommand, startedAt: string, source: string): PodStatusReported {
  const now = new Date().toISOString();
  return {
    specversion: '1.0',
    id: `${command.id}/status`,
    source,
    type: EventType.PodStatus,
    time: now,
    datacontenttype: 'application/json',
    data: {
      ...command.data,
      spec: { ...command.data.spec, nodeName: command.subject },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }], startTime: startedAt },
    },
  };
}

/** `io.everynode.pod.deleted` for the pod the command named. */
function podDeleted(command: DeletePodCommand, source: string): PodDeleted {
  return {
    specversion: '1.0',
    id: `${command.id}/deleted`,
    source,
    type: EventType.PodDeleted,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { metadata: { namespace: command.data.metadata.namespace, name: command.data.metadata.name } },
  };
}
