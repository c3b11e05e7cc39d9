/**
 * Figures 13–16 of `npm run bench`: one everynode cluster on a single Redis
 * vs on a Redis Cluster, the worker processes it scales with, what one shard
 * can carry, and what `EVERYNODE_WAIT_REPLICAS=1` costs.
 *
 * Both Redis are private and made the same way (AOF, `appendfsync
 * everysec`): a private `redis-server`, and a local six-node Redis Cluster
 * (test/support/redis-cluster.ts). Private, so that `INFO commandstats`
 * counts only this run's commands.
 *
 * 13. end-to-end node-join throughput of one cluster (event in → create command
 *     out, 1 worker process): single Redis vs Redis Cluster
 * 14. the same on the Redis Cluster with 1, 2 and 4 worker processes
 * 15. Redis CPU µs per accepted event and per pass (the main thread of the master
 *     holding the cluster's slot, `INFO cpu`, around 13's cluster run), the events/s at which
 *     that slot saturates one Redis core, and the worker processes' Node µs per event
 * 16. latency of an acknowledged write (`submit` with `wait`, one at a time):
 *     without vs with EVERYNODE_WAIT_REPLICAS=1
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { type EngineInternals as Engine, openRedis, spawnRedisServer, startEngine } from '@everynode/engine/internal';
import type { Cluster, Redis } from 'ioredis';
import { masterAddressOf, nodeConnection, startRedisCluster } from '../test/support/redis-cluster.ts';
import { kill, startWorkerProcess, type WorkerProcess } from '../test/support/workers.ts';
import { type BenchContext, quantile } from './context.ts';

export type ClusterBenchOptions = Pick<BenchContext, 'quick' | 'logger' | 'report' | 'nodeEvent' | 'daemonSet'>;

interface Run {
  readonly events: number;
  readonly seconds: number;
  /** Redis CPU µs of the main thread (`INFO cpu`) on the server holding the slot, and the calls of the Lua scripts. */
  readonly redisUsec: number;
  readonly commits: number;
  /** Of `redisUsec`, the Lua scripts' (EVALSHA: the commit script, and every BullMQ queue operation). */
  readonly commitUsec: number;
  /** The worker processes' CPU µs (user + system). */
  readonly nodeUsec: number;
  readonly passes: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `INFO commandstats` as command → {calls, usec}. */
async function commandStats(server: Redis): Promise<Map<string, { calls: number; usec: number }>> {
  const text = await server.info('commandstats');
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) stats.set(match[1] as string, { calls: Number(match[2]), usec: Number(match[3]) });
  return stats;
}

/**
 * CPU µs of a Redis server's main thread (`INFO cpu`): what saturates its core. Not the sum of
 * `INFO commandstats`, which counts a script's inner commands twice (in `evalsha` and under their own
 * names) and a transaction's in `exec` and again under theirs.
 */
async function redisCpuUsec(server: Redis): Promise<number> {
  const text = await server.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return Math.round((field('used_cpu_user_main_thread') + field('used_cpu_sys_main_thread')) * 1e6);
}

/** CPU µs a process has used (Linux `/proc/<pid>/stat`: utime + stime, in clock ticks of 10 ms). */
function cpuUsec(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** Node joins through one prefix with `workers` worker processes on `url`; Redis and Node time measured around the storm. */
async function joinStorm(url: string, serverOf: (prefix: string) => Promise<Redis>, workers: number, n: number, options: ClusterBenchOptions): Promise<Run> {
  const prefix = `bench-rc-${randomUUID().slice(0, 8)}`;
  const client: Engine = await startEngine({ redisUrl: url, prefix, logger: options.logger, workers: false });
  const processes: WorkerProcess[] = await Promise.all(Array.from({ length: workers }, () => startWorkerProcess({ REDIS_URL: url, EVERYNODE_PREFIX: prefix, LOG_LEVEL: 'warn' })));
  try {
    await client.ingress.submit([options.daemonSet], { wait: true });
    const redis = await serverOf(prefix);
    const before = await commandStats(redis);
    const redisBefore = await redisCpuUsec(redis);
    const cpuBefore = processes.reduce((sum, p) => sum + cpuUsec(p.pid), 0);
    const started = performance.now();
    for (let i = 0; i < n; i += 5000) await client.ingress.submit(Array.from({ length: Math.min(5000, n - i) }, (_, j) => options.nodeEvent(`node-${i + j}`)));
    for (;;) {
      const counts = await client.queues.commands.getJobCounts('waiting', 'active', 'completed');
      if ((counts.waiting ?? 0) + (counts.active ?? 0) + (counts.completed ?? 0) >= n) break;
      await sleep(20);
    }
    const seconds = (performance.now() - started) / 1000;
    const nodeUsec = processes.reduce((sum, p) => sum + cpuUsec(p.pid), 0) - cpuBefore;
    const after = await commandStats(redis);
    const redisUsec = (await redisCpuUsec(redis)) - redisBefore;
    const commits = (after.get('evalsha')?.calls ?? 0) - (before.get('evalsha')?.calls ?? 0);
    const commitUsec = (after.get('evalsha')?.usec ?? 0) - (before.get('evalsha')?.usec ?? 0);
    // Every log entry is an event or a pass: the passes are what is not one of the n joins or the DaemonSet.
    const passes = (await client.history.lastSeq()) - n - 1;
    redis.disconnect();
    return { events: n, seconds, redisUsec, commits, commitUsec, nodeUsec, passes };
  } finally {
    await Promise.all(processes.map((p) => kill(p, 'SIGTERM')));
    await client.store.destroy();
    await client.close();
  }
}

/** Acknowledged-write latency: `count` submits with `wait`, one after the other; p50 and p99 in ms. */
async function ackLatency(url: string, waitReplicas: number, count: number, options: ClusterBenchOptions): Promise<{ p50: number; p99: number }> {
  const prefix = `bench-wait-${randomUUID().slice(0, 8)}`;
  const engine: Engine = await startEngine({ redisUrl: url, prefix, logger: options.logger, waitReplicas, sweepEveryMs: 60_000 });
  try {
    await engine.ingress.submit([options.daemonSet], { wait: true });
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      await engine.ingress.submit([options.nodeEvent(`node-${i}`)], { wait: true });
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number) => quantile(latencies, q);
    return { p50: at(0.5), p99: at(0.99) };
  } finally {
    await engine.store.destroy();
    await engine.close();
  }
}

export async function benchCluster(options: ClusterBenchOptions): Promise<void> {
  const { report, quick } = options;
  const n = quick ? 2000 : 20_000;
  const single = await spawnRedisServer({ appendOnly: true });
  const rc = await startRedisCluster();
  try {
    const rate = (run: Run) => Math.round(run.events / run.seconds);
    const onSingle = await joinStorm(single.url, async () => openRedis(single.url) as Redis, 1, n, options);
    const clusterClient = openRedis(rc.url) as Cluster;
    // The master serving the prefix's slot: it does all of that cluster's Redis work.
    const slotMaster = async (prefix: string) => nodeConnection(await masterAddressOf(clusterClient, `{${prefix}}`));
    const onCluster = await joinStorm(rc.url, slotMaster, 1, n, options);
    report('13. one cluster\'s node-join throughput (event in → create command out, 1 worker process)', `single Redis ${rate(onSingle)} events/s vs Redis Cluster ${rate(onCluster)} events/s (${n} joins each)`);

    const scaled: string[] = [];
    for (const workers of [1, 2, 4]) {
      const run = workers === 1 ? onCluster : await joinStorm(rc.url, slotMaster, workers, n, options);
      scaled.push(`${workers}: ${rate(run)} events/s`);
    }
    report('14. the same on the Redis Cluster with 1 / 2 / 4 worker processes', `${scaled.join(', ')} (2 cores shared with this process and Redis)`);

    for (const [label, run] of [['single Redis', onSingle], ['Redis Cluster', onCluster]] as const) {
      const perEvent = run.redisUsec / run.events;
      const ceiling = Math.round(1e6 / perEvent);
      report(
        `15. ${label}: Redis CPU per accepted event (main thread of the slot's master, INFO cpu; ${run.events} joins)`,
        `${perEvent.toFixed(1)} µs/event (all commands: commits, queues, passes) → one shard saturates one core at ≈ ${ceiling.toLocaleString('en-US')} events/s; ` +
          `of which Lua scripts (the commit script and BullMQ's) ${(run.commitUsec / run.events).toFixed(1)} µs/event over ${run.commits} calls; ${run.passes} passes, ${(run.events / Math.max(1, run.passes)).toFixed(0)} events per pass, ≈ ${(run.redisUsec / Math.max(1, run.passes) / 1000).toFixed(1)} ms of Redis per pass with the events it answers; ` +
          `Node ${(run.nodeUsec / run.events).toFixed(0)} µs/event in the worker process(es)`,
      );
    }
    clusterClient.disconnect();

    const count = quick ? 100 : 500;
    const off = await ackLatency(rc.url, 0, count, options);
    const on = await ackLatency(rc.url, 1, count, options);
    report(
      `16. acknowledged write (submit with wait, one at a time, ${count} each) on the Redis Cluster`,
      `p50 ${off.p50.toFixed(1)} ms / p99 ${off.p99.toFixed(1)} ms without WAIT vs p50 ${on.p50.toFixed(1)} ms / p99 ${on.p99.toFixed(1)} ms with EVERYNODE_WAIT_REPLICAS=1`,
    );
  } finally {
    await rc.stop();
    await single.stop();
  }
}

