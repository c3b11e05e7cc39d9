/**
 * `npm run bench`: everynode's figures from one run on one Redis (REDIS_URL,
 * else 127.0.0.1:6379, else a private redis-server).
 *
 * Each figure prints its goal (issue 17) beside it, and whether it is met; a goal set for the full
 * size is not judged under BENCH_SCALE=quick.
 * 1. raw BullMQ no-op single-hop throughput (jobs/s): the anchor
 * 2. end-to-end node-event throughput, event in → create command out, and its ratio to (1) (goal ≥ 1.0×);
 *    (2h) the same through the HTTP API, POST /events from a load process (bench/http.ts)
 * 3. p50/p99 event → command latency at a fixed 1,000 events/s (goal p99 ≤ 20 ms); (3h) through the HTTP API
 * 4. seconds from `apply` to the last of 10,000 create commands on a 10,000-node cluster (goal ≤ 1.0 s)
 * 5. the per-event cost of node joins on a 1,000- vs a 50,000-node cluster (goal: ratio ≤ 1.2)
 * 6. replay speed: the whole cluster rebuilt from the log alone (entries/s, workers stopped), for a
 *    history of node events (goal ≥ 1M/s), (6b) one of pod status reports (≥ 500k/s), (6c) a long one of
 *    a small cluster (≥ 1M/s); and for each, snapshot + tail vs the whole log
 * 7. per bus here (NATS, RabbitMQ, MQTT, Redis Streams): events/s in (bus → log) and commands/s
 *    out (log → bus), each next to the bus client's own rate in the same run (bench/bridges.ts)
 * 9. recovery: a worker process SIGKILLed while a pass runs, restarted at once → seconds until
 *    the DaemonSet's pass over every node is recorded (the dead worker's job taken over)
 * 10. Redis bytes per node+pod outside the log (projection, indexes, queues; `MEMORY USAGE` of
 *    every key of the cluster) on a settled cluster, and the log's bytes per entry beside it
 * 11. startup and footprint of the built CLI and `up`, beside kubectl in the same run (bench/startup.ts)
 * 12. the dashboard in headless Chromium on a 10,000-node cluster: page opened → every node on the
 *    grid, Running (seconds, JS heap, DOM size, list bytes), and a node joined → on the open page
 *    (bench/dashboard.ts)
 * 13–16. Redis Cluster (bench/cluster.ts, private servers): one cluster's throughput on a single Redis vs a
 *    Redis Cluster; 1 / 2 / 4 worker processes; Redis µs per event and the per-shard ceiling; the latency
 *    cost of EVERYNODE_WAIT_REPLICAS=1
 * 17–18. the whole loop as a user sees it (issue 17's figures (7) and (8); bench/loop.ts), through the
 *    simulated agent: (17) node join → its pod reported Running, p50/p99 at 200 joins/s; (18) pod status
 *    reports → the DaemonSet's status updated, reports/s until the status reflects the last one
 * 19. the per-event budget (bench/budget.ts): a batch of node joins hop by hop (accept, events worker,
 *    pass, outbox publish) on a private redis-server — Node CPU µs, Redis µs and Redis calls per event
 *    per hop, beside BullMQ's no-op hop. Profiles: EVERYNODE_WORKER_NODE_OPTIONS='--cpu-prof
 *    --cpu-prof-dir=DIR' profiles the worker processes; `tsx bench/profile-top.ts FILE` summarises one
 *
 * The engine's workers run in BENCH_WORKERS worker processes (default 1), as
 * in production; this process submits events, executes commands for (3),
 * serves the HTTP API for (2h, 3h) (their load comes from a process of its
 * own) and runs the simulated agent for (17, 18). BENCH_SCALE=quick shrinks every size tenfold (CI's smoke run);
 * BENCH_ONLY=1,3 runs some. BENCH_KEEP=1 leaves figure 6's histories in Redis (their prefixes printed
 * as `KEEP …`) for bench/replay-time.ts.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { EventType, eventJobId } from '@everynode/api';
import { targetNodeName } from '@everynode/daemonset';
import { EventStore, replay, takeSnapshot } from '@everynode/eventlog/internal';
import { type EngineInternals as Engine, findOrStartRedis, QueueName, queuePrefix, redisConnectionOptions, startEngine } from '@everynode/engine/internal';
import { kill, startWorkerProcess, type WorkerProcess } from '../test/support/workers.ts';
import { benchBridges } from './bridges.ts';
import { benchDashboard } from './dashboard.ts';
import { benchStartup } from './startup.ts';
import { benchCluster } from './cluster.ts';
import { benchBudget } from './budget.ts';
import { benchLoop } from './loop.ts';
import { benchHttpLatency, benchHttpThroughput } from './http.ts';
import { type EventPath, hopNames, watchHops } from './hops.ts';
import { type BenchContext, quantile } from './context.ts';

const quick = process.env.BENCH_SCALE === 'quick';
const scale = (n: number) => (quick ? Math.max(100, Math.round(n / 10)) : n);
const only = process.env.BENCH_ONLY?.split(',').map(Number);
const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const redisHandle = await findOrStartRedis({ ...(process.env.REDIS_URL ? { url: process.env.REDIS_URL } : {}) });
const redisUrl = redisHandle.url;

const results: { figure: string; value: string; target?: string; met?: boolean }[] = [];
function report(figure: string, value: string, target?: string, met?: boolean): void {
  results.push({ figure, value, ...(target ? { target } : {}), ...(met === undefined ? {} : { met }) });
  const judged = met === undefined ? 'not judged at this scale' : met ? 'met' : 'MISSED';
  console.log(`  ${figure}: ${value}${target ? `  (goal ${target}: ${judged})` : ''}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prefixFor = (name: string) => `bench-${name}-${randomUUID().slice(0, 8)}`;

async function cleanup(prefix: string): Promise<void> {
  const redis = new Redis(redisConnectionOptions(redisUrl));
  await new EventStore(redis, prefix).destroy();
  await redis.quit();
}

function nodeEvent(name: string, type: EventType = EventType.NodeJoined, labels: Record<string, string> = {}) {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'bench',
    type,
    time: new Date().toISOString(),
    data: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
  };
}

const daemonSet = {
  specversion: '1.0',
  id: 'bench-ds',
  source: 'bench',
  type: EventType.DaemonSetApplied,
  time: new Date().toISOString(),
  data: {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:v1', resources: { requests: { cpu: '10m' } } }] } },
    },
  },
};

const workerCount = Number(process.env.BENCH_WORKERS ?? 1);

/** A client engine (no workers) plus worker processes on a fresh prefix; `close` stops them all. */
async function engineFor(name: string, env: Record<string, string> = {}): Promise<Engine> {
  const prefix = prefixFor(name);
  const client = await startEngine({ redisUrl, prefix, logger, workers: false });
  const workers: WorkerProcess[] = await Promise.all(
    Array.from({ length: workerCount }, () => startWorkerProcess({ REDIS_URL: redisUrl, EVERYNODE_PREFIX: prefix, LOG_LEVEL: 'warn', ...env })),
  );
  return {
    ...client,
    async close() {
      await Promise.all(workers.map((w) => kill(w, 'SIGTERM')));
      await client.close();
    },
  };
}

/** Submit events in batches of 500 (one `events` job each), not waiting for the log. */
async function submitAll(engine: Engine, events: readonly object[]): Promise<void> {
  for (let i = 0; i < events.length; i += 5000) {
    const chunk = events.slice(i, i + 5000);
    await engine.ingress.submit(chunk);
  }
}

async function commandsWaiting(engine: Engine): Promise<number> {
  const counts = await engine.queues.commands.getJobCounts('waiting', 'active', 'completed');
  return (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.completed ?? 0);
}

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function scheduled(engine: Engine): Promise<number> {
  return (await engine.reader.getDaemonSet('kube-system', 'agent'))?.status?.currentNumberScheduled ?? 0;
}

/** Nothing left to do: no job waiting or running, no marks, the outbox published. */
async function settled(engine: Engine): Promise<void> {
  await until(
    async () => {
      const counts = await Promise.all([engine.queues.events, engine.queues.reconcile].map((q) => q.getJobCounts('wait', 'active')));
      const busy = counts.some((c) => (c.wait ?? 0) + (c.active ?? 0) > 0);
      const outbox = await engine.store.redis.xlen(engine.store.keys.outbox);
      return !busy && outbox === 0 && (await engine.store.dirtyDaemonSets()).length === 0;
    },
    600_000,
    'the engine to settle',
    50,
  );
}

// 1 ---------------------------------------------------------------------------
async function rawThroughput(): Promise<number> {
  const n = scale(20_000);
  const prefix = prefixFor('raw');
  const connection = new Redis(redisConnectionOptions(redisUrl));
  const queue = new Queue('noop', { connection, prefix: queuePrefix(prefix) });
  let done = 0;
  const worker = new Worker('noop', async () => undefined, { connection, prefix: queuePrefix(prefix), concurrency: 100 });
  worker.on('completed', () => void done++);
  await worker.waitUntilReady();
  const started = performance.now();
  for (let i = 0; i < n; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ name: 'noop', data: { i: i + j }, opts: { removeOnComplete: true } })));
  }
  await until(async () => done >= n, 120_000, 'raw jobs');
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.close();
  await connection.quit();
  await cleanup(prefix);
  const rate = n / seconds;
  report('1. raw BullMQ no-op single-hop throughput', `${Math.round(rate)} jobs/s (${n} jobs, worker concurrency 100)`);
  return rate;
}

// 2 ---------------------------------------------------------------------------
async function endToEndThroughput(raw: number): Promise<void> {
  const n = scale(20_000);
  const engine = await engineFor('e2e');
  await engine.ingress.submit([daemonSet], { wait: true });
  const events = Array.from({ length: n }, (_, i) => nodeEvent(`node-${i}`));
  const started = performance.now();
  await submitAll(engine, events);
  await until(async () => (await commandsWaiting(engine)) >= n, 300_000, 'create commands', 20);
  const seconds = (performance.now() - started) / 1000;
  const rate = n / seconds;
  report('2. end-to-end node-event throughput (event in → create command out)', `${Math.round(rate)} events/s (${n} joins)`);
  report('   ratio to raw BullMQ', `${(rate / raw).toFixed(2)} (${Math.round(rate)} events/s : ${Math.round(raw)} jobs/s raw, figure 1, same run)`, '≥ 1.0×', rate / raw >= 1);
  await engine.close();
  await cleanup(engine.prefix);
}

// 3 ---------------------------------------------------------------------------
async function latencyAtFixedRate(): Promise<void> {
  const perSecond = Number(process.env.BENCH_RATE ?? 1000);
  const seconds = quick ? 2 : 10;
  const engine = await engineFor('latency');
  await engine.ingress.submit([daemonSet], { wait: true });
  const sent = new Map<string, { at: number; submitted: number; eventsJob: string }>();
  const latencies: number[] = [];
  const paths: EventPath[] = [];
  const hops = await watchHops(redisUrl, engine.prefix);
  const connection = new Redis(redisConnectionOptions(redisUrl));
  const executor = new Worker(
    QueueName.Commands,
    async (job) => {
      const executed = Date.now();
      const event = sent.get(job.data.subject as string);
      if (event === undefined) return;
      latencies.push(performance.now() - event.at);
      paths.push({ submitted: event.submitted, eventsJob: event.eventsJob, commandJob: job.id as string, executed });
    },
    { connection, prefix: queuePrefix(engine.prefix), concurrency: 100 },
  );
  await executor.waitUntilReady();
  const total = perSecond * seconds;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const name = `node-${i}`;
    const event = nodeEvent(name);
    sent.set(name, { at: performance.now(), submitted: Date.now(), eventsJob: eventJobId(event) });
    void engine.ingress.submit([event]);
  }
  await until(async () => latencies.length >= total, 120_000, 'every command', 20);
  latencies.sort((a, b) => a - b);
  const p = (q: number) => quantile(latencies, q);
  report(`3. event → command latency at ${perSecond} events/s (${total} events)`, `p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms`, 'p99 ≤ 20 ms', p(0.99) <= 20);
  // Hop by hop (bench/hops.ts): the p50 and p99 of each hop, and of the passes.
  const rows = hops.hops(paths);
  const column = (k: number) => rows.map((row) => row[k] as number).sort((a, b) => a - b);
  report(
    `   hop by hop, p50/p99 ms (${rows.length} of ${total} events traced)`,
    hopNames.map((name, k) => `${name} ${quantile(column(k), 0.5)}/${quantile(column(k), 0.99)}`).join(', '),
  );
  const passes = hops.passes().sort((a, b) => a - b);
  report('   passes', `${passes.length} for ${total} events (${(total / Math.max(1, passes.length)).toFixed(1)} events a pass), each p50/p99 ${quantile(passes, 0.5)}/${quantile(passes, 0.99)} ms`);
  await hops.close();
  await executor.close();
  await connection.quit();
  await engine.close();
  await cleanup(engine.prefix);
}

// 4 ---------------------------------------------------------------------------
async function applyOnBigCluster(): Promise<void> {
  const n = scale(10_000);
  const engine = await engineFor('apply');
  await submitAll(engine, Array.from({ length: n }, (_, i) => nodeEvent(`node-${i}`)));
  await until(async () => (await engine.store.redis.hlen(engine.store.keys.nodes)) >= n, 120_000, 'the nodes', 20);
  await settled(engine);
  const started = performance.now();
  await engine.ingress.submit([daemonSet]);
  await until(async () => (await commandsWaiting(engine)) >= n, 120_000, 'create commands', 5);
  const seconds = (performance.now() - started) / 1000;
  report(`4. apply → last of ${n} create commands on a ${n}-node cluster`, `${seconds.toFixed(2)} s`, '≤ 1.0 s (10,000 nodes)', quick ? undefined : seconds <= 1);
  await engine.close();
  await cleanup(engine.prefix);
}

// 5 ---------------------------------------------------------------------------
async function perEventCost(size: number): Promise<number> {
  const joins = scale(2000);
  const engine = await engineFor(`cost-${size}`);
  await engine.ingress.submit([daemonSet], { wait: true });
  await submitAll(engine, Array.from({ length: size }, (_, i) => nodeEvent(`node-${i}`)));
  await until(async () => (await scheduled(engine)) >= size, 600_000, `${size} pods`, 50);
  await settled(engine);
  const started = performance.now();
  await submitAll(engine, Array.from({ length: joins }, (_, i) => nodeEvent(`late-${i}`)));
  await until(async () => (await scheduled(engine)) >= size + joins, 120_000, 'the late pods', 5);
  const perEvent = (performance.now() - started) / joins;
  report(`5. per-event cost of a node join on a ${size}-node cluster`, `${(perEvent * 1000).toFixed(0)} µs (${joins} joins)`);
  await engine.close();
  await cleanup(engine.prefix);
  return perEvent;
}

// 6 ---------------------------------------------------------------------------
/** Replay `store` to the end `times` times; the seconds of each. */
async function timeReplays(store: EventStore, times: number, bounds: Parameters<typeof replay>[1] = {}): Promise<number[]> {
  const seconds: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await replay(store, bounds);
    seconds.push((performance.now() - started) / 1000);
  }
  return seconds;
}

/**
 * Build a log with `build` (through the engine, its workers in a worker
 * process), take a snapshot, add a tail of `tail` events, stop the workers,
 * then time replays: of the log up to the snapshot from the log alone (the
 * first replay in the process, then the median of three), and to the end
 * from the whole log vs from the snapshot plus the tail.
 */
async function replayFigures(
  label: string,
  build: (submit: (count: number, make: (i: number) => object) => Promise<void>, engine: Engine) => Promise<void>,
  tail: (i: number) => object,
  tailCount: number,
  target?: number,
): Promise<void> {
  // No periodic snapshots: the one snapshot below is taken at a known point.
  const engine = await engineFor('replay', { EVERYNODE_SNAPSHOT_MIN_ENTRIES: String(1e12) });
  // Events are made as they are submitted: the replays run in this process, and a heap still
  // holding 200,000 events would slow them down (every GC would trace it).
  const submit = async (count: number, make: (i: number) => object) => {
    for (let i = 0; i < count; i += 5000) await engine.ingress.submit(Array.from({ length: Math.min(5000, count - i) }, (_, j) => make(i + j)));
  };
  await build(submit, engine);
  await settled(engine);
  const entries = await engine.store.lastSeq();
  await takeSnapshot(engine.store);
  await submit(tailCount, tail);
  await until(async () => (await engine.store.lastSeq()) >= entries + tailCount, 600_000, 'the tail', 100);
  await settled(engine);
  // The workers stop before the replays, which then have the two cores to themselves.
  await engine.close();
  const redis = new Redis(redisConnectionOptions(redisUrl));
  const store = new EventStore(redis, engine.prefix);
  const [cold = 0, ...warm] = await timeReplays(store, 4, { toSeq: entries, useSnapshots: false });
  const median = [...warm].sort((a, b) => a - b)[1] ?? cold;
  const { state } = await replay(store, { toSeq: entries, useSnapshots: false });
  const rate = (seconds: number) => `${Math.round(entries / seconds).toLocaleString('en-US')}/s`;
  report(
    `${label}: replay from the log alone (${entries} entries → ${state.nodes.size} nodes, ${state.pods.size} pods)`,
    `${rate(median)} (median of 3: ${warm.map((s) => s.toFixed(2)).join(', ')} s; the first replay in the process ${rate(cold)})`,
    target === undefined ? undefined : `≥ ${target.toLocaleString('en-US')}/s${quick ? ' (full scale)' : ''}`,
    target === undefined || quick ? undefined : entries / median >= target,
  );
  const total = await store.lastSeq();
  const [whole = 0] = await timeReplays(store, 1, { useSnapshots: false });
  const [snap = 0] = await timeReplays(store, 1);
  report(`   replay to the end of ${total} entries: whole log vs the snapshot at ${entries} + tail`, `${whole.toFixed(2)} s vs ${snap.toFixed(2)} s (${(whole / snap).toFixed(1)}× faster)`);
  await redis.quit();
  if (process.env.BENCH_KEEP) console.log(`KEEP ${label} ${engine.prefix} ${entries}`);
  else await cleanup(engine.prefix);
}

/**
 * `n` node events over `nodes` nodes: joins, then label updates of the same
 * nodes round after round, under one DaemonSet; then a tail of 10 % more updates.
 */
async function replayNodeEvents(label: string, n: number, nodes: number, target?: number): Promise<void> {
  await replayFigures(
    label,
    async (submit, engine) => {
      await engine.ingress.submit([daemonSet], { wait: true });
      await submit(n, (i) => (i < nodes ? nodeEvent(`node-${i}`) : nodeEvent(`node-${i % nodes}`, EventType.NodeUpdated, { round: String(Math.floor(i / nodes)) })));
      await until(async () => (await engine.store.lastSeq()) >= n, 600_000, 'the log', 100);
    },
    (i) => nodeEvent(`node-${i % nodes}`, EventType.NodeUpdated, { round: 'last', i: String(i) }),
    Math.round(n / 9),
    target,
  );
}

/** 6b: a cluster whose pods report their status again and again — every entry must be read whole. */
async function replayPodHistory(): Promise<void> {
  const nodes = scale(20_000);
  const rounds = 9;
  const podStatus = (pod: { metadata: { name: string; namespace: string; uid?: string }; spec: { nodeName?: string } }, round: number) => ({
    specversion: '1.0',
    id: randomUUID(),
    source: 'bench',
    type: EventType.PodStatus,
    time: new Date().toISOString(),
    data: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
      spec: { nodeName: pod.spec.nodeName },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastProbeTime: `round-${round}` }] },
    },
  });
  let pods: { metadata: { name: string; namespace: string; uid?: string }; spec: { nodeName?: string } }[] = [];
  await replayFigures(
    '6b. pod status history',
    async (submit, engine) => {
      await engine.ingress.submit([daemonSet], { wait: true });
      await submit(nodes, (i) => nodeEvent(`node-${i}`));
      await until(async () => (await scheduled(engine)) >= nodes, 600_000, 'the pods');
      pods = (await engine.store.listPods('kube-system')).map((p) => ({ metadata: { name: p.metadata.name, namespace: 'kube-system', uid: p.metadata.uid as string }, spec: { nodeName: targetNodeName(p) ?? '' } }));
      const before = await engine.store.lastSeq();
      await submit(nodes * rounds, (i) => podStatus(pods[i % nodes] as (typeof pods)[number], Math.floor(i / nodes)));
      await until(async () => (await engine.store.lastSeq()) >= before + nodes * rounds, 600_000, 'the log', 100);
    },
    (i) => podStatus(pods[i % nodes] as (typeof pods)[number], rounds + 1),
    nodes,
    500_000,
  );
}

// 9 ---------------------------------------------------------------------------
async function recoveryAfterKill(): Promise<void> {
  const prefix = prefixFor('recovery');
  const client = await startEngine({ redisUrl, prefix, logger, workers: false });
  const env = { REDIS_URL: redisUrl, EVERYNODE_PREFIX: prefix, LOG_LEVEL: 'warn' };
  let worker = await startWorkerProcess(env);
  await client.ingress.submit([daemonSet], { wait: true });
  // Joins in batches until a pass is caught running; then its worker dies under it.
  let sent = 0;
  let caught = false;
  while (!caught && sent < scale(20_000)) {
    await client.ingress.submit(Array.from({ length: 200 }, (_, i) => nodeEvent(`node-${sent + i}`)));
    sent += 200;
    for (let probe = 0; probe < 100 && !caught; probe++) caught = (await client.queues.reconcile.getActiveCount()) > 0;
  }
  await kill(worker);
  const killed = performance.now();
  worker = await startWorkerProcess(env);
  const restarted = performance.now();
  await until(async () => (await client.reader.getDaemonSet('kube-system', 'agent'))?.status?.desiredNumberScheduled === sent, 120_000, 'the pass after the restart', 20);
  const done = performance.now();
  report(
    '9. recovery: worker SIGKILLed mid-pass, restarted → pass over every node',
    `${((done - restarted) / 1000).toFixed(1)} s after the restart (${((done - killed) / 1000).toFixed(1)} s after the kill, ${sent} nodes${caught ? '' : ', no pass caught running'})`,
    '≤ 5 s',
    (done - restarted) / 1000 <= 5,
  );
  await kill(worker, 'SIGTERM');
  await client.close();
  await cleanup(prefix);
}

// 10 --------------------------------------------------------------------------
async function bytesPerNodeAndPod(): Promise<void> {
  const n = scale(10_000);
  const engine = await engineFor('bytes');
  // An executor that takes every command, as agents do: what stays is what the queues retain.
  const connection = new Redis(redisConnectionOptions(redisUrl));
  let executed = 0;
  const executor = new Worker(QueueName.Commands, async () => void executed++, { connection, prefix: queuePrefix(engine.prefix), concurrency: 100 });
  await engine.ingress.submit([daemonSet], { wait: true });
  await submitAll(engine, Array.from({ length: n }, (_, i) => nodeEvent(`node-${i}`)));
  await until(async () => (await scheduled(engine)) >= n && executed >= n, 600_000, 'the pods');
  await settled(engine);
  await executor.close();
  await connection.quit();
  const redis = engine.store.redis;
  let outside = 0;
  let log = 0;
  let cursor = '0';
  // Bytes by kind of key (the key with the prefix and any id cut off): where the memory goes.
  const byKind = new Map<string, number>();
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${engine.prefix}*`, 'COUNT', 1000);
    cursor = next;
    const sizes = await Promise.all(keys.map(async (key) => [key, Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'))] as const));
    for (const [key, bytes] of sizes) {
      if (key === engine.store.keys.log) log += bytes;
      else outside += bytes;
      const [head = '', queue, part] = key.replace(engine.prefix, '').split(':');
      const kind = [head, queue, part && /^(wait|active|completed|failed|events|meta|id|marker|stalled-check|prioritized|delayed|paused|de)$/.test(part) ? part : part && '<job>'].filter(Boolean).join(':');
      byKind.set(kind, (byKind.get(kind) ?? 0) + bytes);
    }
  } while (cursor !== '0');
  const entries = await redis.xlen(engine.store.keys.log);
  const perNode = outside / n;
  report(`10. Redis bytes per node+pod outside the log (${n} nodes, settled)`, `${Math.round(perNode)} B (log: ${Math.round(log / entries)} B per entry, ${entries} entries)`, '≤ 2 KB', perNode <= 2048);
  const largest = [...byKind].sort((a, b) => b[1] - a[1]).slice(0, 12);
  report('    largest', largest.map(([kind, bytes]) => `${kind} ${Math.round(bytes / n)} B`).join(', '));
  await engine.close();
  await cleanup(engine.prefix);
}

console.log(`everynode bench${quick ? ' (quick)' : ''} — Redis ${redisHandle.how}, Node ${process.version}`);
const run = (n: number) => !only || only.includes(n);
const raw = run(1) || run(2) ? await rawThroughput() : 0;
const context: BenchContext = { quick, scale, redisUrl, logger, report, engineFor: (name) => engineFor(name), nodeEvent: (name) => nodeEvent(name), daemonSet, submitAll, until, settled, commandsWaiting, cleanup };
const http = { ...context, raw };
if (run(2)) await endToEndThroughput(raw);
if (run(2)) await benchHttpThroughput(http);
if (run(3)) await latencyAtFixedRate();
if (run(3)) await benchHttpLatency(http);
if (run(4)) await applyOnBigCluster();
if (run(5)) {
  const small = await perEventCost(scale(1000));
  const big = await perEventCost(scale(50_000));
  report('   cost ratio 50,000 : 1,000 nodes', (big / small).toFixed(2), '≤ 1.2', big / small <= 1.2);
}
if (run(6)) {
  const n = scale(200_000);
  // 6: a long history of a mid-sized cluster, mostly node events. The target is for the full scale:
  // the quick history (4 entries per node) is mostly the cost of building the final objects.
  await replayNodeEvents('6. node history', n, Math.min(n / 4, 20_000), 1_000_000);
  await replayPodHistory();
  // 6c: a small cluster with a long history: where a snapshot saves most of a replay.
  await replayNodeEvents('6c. long history of a small cluster', n, scale(2_000), 1_000_000);
}
if (run(7)) {
  await benchBridges({
    n: scale(10_000),
    redisUrl,
    logger,
    maxInFlight: Number(process.env.BENCH_BRIDGE_IN_FLIGHT ?? 64),
    engineFor,
    async engineWithCommands(name, n) {
      const engine = await engineFor(name);
      await engine.ingress.submit([daemonSet], { wait: true });
      await submitAll(engine, Array.from({ length: n }, (_, i) => nodeEvent(`node-${i}`)));
      await until(async () => (await scheduled(engine)) >= n, 600_000, 'the pods');
      await settled(engine);
      return engine;
    },
    nodeEvent,
    until,
    report,
  });
}
if (run(9)) await recoveryAfterKill();
if (run(10)) await bytesPerNodeAndPod();
if (run(11)) await benchStartup({ ...context, runs: quick ? 3 : 5 });
if (run(12)) await benchDashboard({ ...context, n: scale(10_000) });
if ([13, 14, 15, 16].some(run)) await benchCluster(context);
if (run(17) || run(18)) await benchLoop(context);
if (run(19)) await benchBudget({ ...context, n: scale(5000) });
console.log(JSON.stringify({ results }, null, 2));
await redisHandle.stop();
process.exit(0);
