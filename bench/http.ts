/**
 * Figures 2h and 3h: figures 2 and 3 through the HTTP API, as users send
 * events. The API (`buildServer`, no auth, no TLS) runs in this process on a
 * client engine, the workers in a worker process as for the other figures,
 * and the load in a process of its own (bench/http-load.ts: undici
 * keep-alive connections, one CloudEvent a POST in structured mode, the
 * API's default read-your-writes answer):
 *   2h. node joins, 64 requests in flight (a closed loop) → every create
 *       command out: events/s, beside raw BullMQ (figure 1, same run);
 *   3h. node joins at 1,000/s whatever the answers (an open loop) → each
 *       command taken by an executor in this process: p50/p99 from the moment
 *       the load process sent the request (both read the same wall clock).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer } from '@everynode/server';
import { type EngineInternals as Engine, QueueName, queuePrefix, redisConnectionOptions } from '@everynode/engine/internal';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type BenchContext, quantile } from './context.ts';

export interface HttpBenchOptions extends Pick<BenchContext, 'quick' | 'scale' | 'redisUrl' | 'report' | 'engineFor' | 'nodeEvent' | 'daemonSet' | 'until' | 'commandsWaiting' | 'cleanup'> {
  /** Figure 1's rate, this run (0 when it did not run). */
  readonly raw: number;
}

interface LoadResult {
  readonly started: number;
  readonly finished: number;
  readonly sentAt: readonly number[];
  readonly statuses: Record<string, number>;
}

const loadScript = fileURLToPath(new URL('./http-load.ts', import.meta.url));
const epochNow = () => performance.timeOrigin + performance.now();

/** Run bench/http-load.ts on `spec` in a process of its own; its result. */
export async function runLoad(spec: object): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'everynode-http-load-'));
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', loadScript, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`bench: the HTTP load process exited with ${code}`);
    return JSON.parse(out) as LoadResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const statusText = (statuses: Record<string, number>) =>
  Object.entries(statuses)
    .map(([status, count]) => `${count}× ${status}`)
    .join(', ');

async function withServer<T>(options: HttpBenchOptions, name: string, body: (engine: Engine, url: string) => Promise<T>): Promise<T> {
  const engine = await options.engineFor(name);
  const server = buildServer({ ...engine, logger: false });
  try {
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    await engine.ingress.submit([options.daemonSet], { wait: true });
    return await body(engine, url);
  } finally {
    await server.close();
    await engine.close();
    await options.cleanup(engine.prefix);
  }
}

export async function benchHttpThroughput(options: HttpBenchOptions): Promise<void> {
  const { report } = options;
  const n = options.scale(20_000);
  const connections = 64;
  await withServer(options, 'http-e2e', async (engine, url) => {
    const events = Array.from({ length: n }, (_, i) => options.nodeEvent(`node-${i}`));
    const load = runLoad({ url, events, connections, batch: 1 });
    await options.until(async () => (await options.commandsWaiting(engine)) >= n, 600_000, 'create commands', 20);
    const lastCommand = epochNow();
    const result = await load;
    const rate = n / ((lastCommand - result.started) / 1000);
    report(
      `2h. end-to-end through HTTP (POST /events, one CloudEvent a request, ${connections} in flight, a load process) → create commands`,
      `${Math.round(rate)} events/s (${n} joins; the load process's requests answered at ${Math.round(n / ((result.finished - result.started) / 1000))}/s: ${statusText(result.statuses)})`,
    );
    if (options.raw > 0) report('    ratio to raw BullMQ', `${(rate / options.raw).toFixed(2)} (${Math.round(rate)} events/s : ${Math.round(options.raw)} jobs/s raw, figure 1, same run)`, '≥ 1.0×', rate / options.raw >= 1);
  });
}

export async function benchHttpLatency(options: HttpBenchOptions): Promise<void> {
  const { report } = options;
  const perSecond = Number(process.env.BENCH_RATE ?? 1000);
  const seconds = options.quick ? 2 : 10;
  const total = perSecond * seconds;
  await withServer(options, 'http-latency', async (engine, url) => {
    const received = new Map<string, number>();
    const connection = new Redis(redisConnectionOptions(options.redisUrl));
    const executor = new Worker(QueueName.Commands, async (job) => void received.set(job.data.subject as string, epochNow()), {
      connection,
      prefix: queuePrefix(engine.prefix),
      concurrency: 100,
    });
    await executor.waitUntilReady();
    try {
      const events = Array.from({ length: total }, (_, i) => options.nodeEvent(`node-${i}`));
      const result = await runLoad({ url, events, connections: 64, batch: 1, perSecond });
      await options.until(async () => received.size >= total, 120_000, 'every command', 20);
      const latencies = Array.from({ length: total }, (_, i) => (received.get(`node-${i}`) as number) - (result.sentAt[i] as number)).sort((a, b) => a - b);
      const p = (q: number) => quantile(latencies, q);
      report(
        `3h. POST /events → command latency at ${perSecond} events/s (${total} events, one a request, a load process)`,
        `p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms (${statusText(result.statuses)})`,
        'p99 ≤ 20 ms',
        p(0.99) <= 20,
      );
    } finally {
      await executor.close();
      await connection.quit();
    }
  });
}
