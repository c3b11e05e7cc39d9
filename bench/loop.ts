/**
 * Figures 17 and 18, the whole loop as a user sees it (issue 17's (7) and
 * (8); 7 is taken by the bus bridges), the engine's workers in a worker
 * process and the simulated agent (`@everynode/agent`, start delay 0,
 * concurrency 200) in this process:
 *   17. node joins at a steady rate (BENCH_LOOP_RATE, default 200/s), one
 *       event per submit → that node's pod reported Running by the agent and in
 *       the log: p50/p99 (the log tailed with XREAD BLOCK, no polling);
 *   18. pod status reports, sent as the agent sends them (one `events` job
 *       each), for every pod of that cluster round after round, the last
 *       round NotReady → the DaemonSet's status counting none ready:
 *       reports/s, measured until the status reflects the last report;
 *  18h. the same through the HTTP API, as an agent on a node would send them
 *       without a queue of its own: the API (`buildServer`, no auth, no TLS)
 *       in this process, a load process (bench/http-load.ts) posting one
 *       CloudEvent a request, 64 in flight, each answered once it is in the
 *       log; the last round Ready again → the status counting every pod ready.
 */
import { randomUUID } from 'node:crypto';
import { EventType } from '@everynode/api';
import { eventJobId, startAgent } from '@everynode/agent';
import { targetNodeName } from '@everynode/daemonset';
import { QueueName, queuePrefix, redisConnectionOptions } from '@everynode/engine/internal';
import { buildServer } from '@everynode/server';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type BenchContext, quantile } from './context.ts';
import { runLoad, statusText } from './http.ts';

export type LoopBenchOptions = Pick<BenchContext, 'quick' | 'scale' | 'redisUrl' | 'logger' | 'report' | 'engineFor' | 'nodeEvent' | 'daemonSet' | 'until' | 'settled' | 'cleanup'>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LoggedEvent {
  readonly kind: string;
  readonly event?: { readonly type: string; readonly data?: { spec?: { nodeName?: string }; status?: { phase?: string } } };
}

/** Tail the log from its end: `onEntry` for each entry appended from now on, until `stop()`. */
export function tailLog(redisUrl: string, logKey: string, onEntry: (entry: LoggedEvent, at: number) => void): { stop(): Promise<void> } {
  const redis = new Redis(redisConnectionOptions(redisUrl));
  let running = true;
  const loop = (async () => {
    let last = '$';
    while (running) {
      const reply = (await redis.xread('COUNT', 1000, 'BLOCK', 200, 'STREAMS', logKey, last)) as [string, [string, string[]][]][] | null;
      const at = performance.now();
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          const json = fields[fields.indexOf('e') + 1];
          if (json) onEntry(JSON.parse(json) as LoggedEvent, at);
        }
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await redis.quit();
    },
  };
}

export async function benchLoop(options: LoopBenchOptions): Promise<void> {
  const { report, until, redisUrl } = options;
  const engine = await options.engineFor('loop');
  const agent = await startAgent({ connection: redisUrl, prefix: engine.prefix, logger: options.logger, defaultStartDelayMs: 0, deleteDelayMs: 0, concurrency: 200 });
  let agentOpen = true;
  try {
    await engine.ingress.submit([options.daemonSet], { wait: true });

    // 17 ---------------------------------------------------------------------
    const perSecond = Number(process.env.BENCH_LOOP_RATE ?? 200);
    const seconds = options.quick ? 2 : 10;
    const total = perSecond * seconds;
    const sent = new Map<string, number>();
    const latencies: number[] = [];
    const tail = tailLog(redisUrl, engine.store.keys.log, (entry, at) => {
      const { event } = entry;
      if (entry.kind !== 'event' || event?.type !== EventType.PodStatus || event.data?.status?.phase !== 'Running') return;
      const node = event.data.spec?.nodeName ?? '';
      const joined = sent.get(node);
      if (joined !== undefined) {
        latencies.push(at - joined);
        sent.delete(node);
      }
    });
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = started + (i * 1000) / perSecond - performance.now();
      if (wait > 1) await sleep(wait);
      const name = `node-${i}`;
      sent.set(name, performance.now());
      void engine.ingress.submit([options.nodeEvent(name)]);
    }
    const lastSent = performance.now();
    await until(async () => latencies.length >= total, 120_000, 'every pod Running', 20);
    // Past what the loop sustains, latency grows through the run: the backlog at the end tells it.
    const drained = (performance.now() - lastSent) / 1000;
    await tail.stop();
    latencies.sort((a, b) => a - b);
    report(
      `17. node join → its pod Running (the simulated agent, start delay 0) at ${perSecond} joins/s (${total} joins)`,
      `p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms, max ${(latencies.at(-1) ?? NaN).toFixed(1)} ms (every pod Running ${drained.toFixed(2)} s after the last join was sent)`,
    );

    // 18 ---------------------------------------------------------------------
    await until(async () => ((await engine.reader.getDaemonSet('kube-system', 'agent'))?.status?.numberReady ?? 0) >= total, 120_000, 'every pod ready', 20);
    await options.settled(engine);
    await agent.close();
    agentOpen = false;
    const pods = (await engine.store.listPods('kube-system')).map((p) => ({ name: p.metadata.name, uid: p.metadata.uid as string, node: targetNodeName(p) ?? '' }));
    const rounds = options.quick ? 5 : 10;
    /** Round `round` of the status reports of `pod`; the last round says `lastReady`. */
    const report18 = (pod: (typeof pods)[number], round: number, lastReady = false) => {
      const ready = round < rounds - 1 || lastReady;
      const at = new Date().toISOString();
      return {
        specversion: '1.0',
        id: randomUUID(),
        source: 'everynode/agent',
        type: EventType.PodStatus,
        time: at,
        datacontenttype: 'application/json',
        data: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: pod.name, namespace: 'kube-system', uid: pod.uid },
          spec: { nodeName: pod.node },
          status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastProbeTime: `round-${round}`, lastTransitionTime: at }] },
        },
      };
    };
    const reports = Array.from({ length: pods.length * rounds }, (_, i) => report18(pods[i % pods.length] as (typeof pods)[number], Math.floor(i / pods.length)));
    const connection = new Redis(redisConnectionOptions(redisUrl));
    const events = new Queue(QueueName.Events, { connection, prefix: queuePrefix(engine.prefix) });
    const jobOptions = { attempts: 5, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: true };
    const reportsStarted = performance.now();
    for (let i = 0; i < reports.length; i += 1000) {
      await events.addBulk(reports.slice(i, i + 1000).map((event) => ({ name: event.type, data: event, opts: { ...jobOptions, jobId: eventJobId(event.id) } })));
    }
    const queuedSeconds = (performance.now() - reportsStarted) / 1000;
    await until(async () => (await engine.reader.getDaemonSet('kube-system', 'agent'))?.status?.numberReady === 0, 600_000, 'the DaemonSet status to show the last reports', 10);
    const reportSeconds = (performance.now() - reportsStarted) / 1000;
    report(
      `18. pod status reports → DaemonSet status updated (${reports.length} reports: ${rounds} rounds over ${pods.length} pods, one events job each, as the agent sends them)`,
      `${Math.round(reports.length / reportSeconds)} reports/s (${reportSeconds.toFixed(2)} s until the status showed the last round; all queued after ${queuedSeconds.toFixed(2)} s)`,
    );
    await events.close();
    await connection.quit();

    // 18h --------------------------------------------------------------------
    const server = buildServer({ ...engine, logger: false });
    try {
      const url = await server.listen({ port: 0, host: '127.0.0.1' });
      const posted = Array.from({ length: pods.length * rounds }, (_, i) => report18(pods[i % pods.length] as (typeof pods)[number], Math.floor(i / pods.length), true));
      const load = await runLoad({ url, events: posted, connections: 64, batch: 1 });
      await until(async () => (await engine.reader.getDaemonSet('kube-system', 'agent'))?.status?.numberReady === pods.length, 600_000, 'the DaemonSet status to show every pod ready again', 10);
      const postedSeconds = (performance.timeOrigin + performance.now() - load.started) / 1000;
      report(
        `18h. the same through HTTP (POST /events, one CloudEvent a request, 64 in flight, a load process; ${posted.length} reports, the last round Ready)`,
        `${Math.round(posted.length / postedSeconds)} reports/s (${postedSeconds.toFixed(2)} s until the status showed every pod ready; answers: ${statusText(load.statuses)})`,
      );
    } finally {
      await server.close();
    }
  } finally {
    if (agentOpen) await agent.close();
    await engine.close();
    await options.cleanup(engine.prefix);
  }
}
