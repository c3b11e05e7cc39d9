/**
 * Figure 19, the per-event budget (issue 17): where a node join's time goes,
 * hop by hop, on a private `redis-server` (nothing else's commands in its
 * statistics) with the engine's workers in one worker process.
 *
 * A batch of N joins under one DaemonSet goes through the hops one at a time,
 * held apart by pausing the BullMQ queues (the engine's own code is not
 * touched): (a) accept, the events and reconcile queues paused, in this
 * process (`ingress.submit`, the way figure 2 submits); (b) the events
 * worker, `events` resumed; (c) the pass and the outbox publish, `reconcile`
 * resumed — the publisher follows each pass at once, so the two share the
 * worker's CPU figure and their Redis commands are told apart by the keys
 * they touch (the `commands` queue and the outbox stream are the publisher's).
 * Beside them, (raw) BullMQ's no-op single hop on the same server: the anchor.
 * Then (e), the path one event takes alone — figure 3's: joins submitted one
 * a `submit` at 100/s, nothing paused, so each is its own events job, pass and
 * outbox round; the worker's and this process's CPU, and every Redis call, per event.
 *
 * Redis µs: every command's own time from SLOWLOG with `slowlog-log-slower-than
 * 0` (the same clock as `INFO commandstats`' usec, but per command and with
 * its arguments, so a script is named by its SHA and a command by its keys).
 * Only top-level commands are counted: a script's inner calls (client `?:0`)
 * are inside its own time, as are a MULTI's (EXEC is not logged; its inner
 * commands are). The bench's own probes run on a connection named
 * `bench-probe` and are left out. `INFO commandstats` is printed beside it
 * for EVALSHA (the same time, a cross-check).
 * Node µs: CPU time (user + system) of the process that ran the hop, over the
 * hop: `process.cpuUsage()` here, `/proc/<pid>/stat` for the worker process
 * (10 ms ticks: ±10 ms over the hop).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueName, queuePrefix, redisConnectionOptions, spawnRedisServer, startEngine } from '@everynode/engine/internal';
import { kill, startWorkerProcess } from '../test/support/workers.ts';
import type { BenchContext } from './context.ts';

export interface BudgetOptions extends Pick<BenchContext, 'logger' | 'report' | 'nodeEvent' | 'daemonSet'> {
  readonly n: number;
}

/** One SLOWLOG entry: [id, time, µs, args, client, name]. */
type SlowEntry = [number, number, number, string[], string, string];

export interface HopCost {
  readonly calls: number;
  readonly usec: number;
  /** µs and calls by command (a script by its name), the biggest first. */
  readonly by: Map<string, { calls: number; usec: number }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SHA-1 → name of every Lua script BullMQ and the engine load (ioredis runs a script by the SHA-1 of its text). */
async function scriptNames(): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const sha = (text: string) => createHash('sha1').update(text).digest('hex');
  const bullmq = join(dirname(fileURLToPath(import.meta.resolve('bullmq'))), 'scripts');
  for (const file of readdirSync(bullmq).filter((f) => /^[a-zA-Z]+-\d+\.js$/.test(f))) {
    const module = (await import(pathToFileURL(join(bullmq, file)).href)) as Record<string, { name: string; content: string }>;
    for (const script of Object.values(module)) if (script?.content) names.set(sha(script.content), `bullmq ${script.name}`);
  }
  const commit = fileURLToPath(new URL('../packages/eventlog/src/scripts/commit.lua', import.meta.url));
  names.set(sha(readFileSync(commit, 'utf8')), 'engine commit.lua');
  return names;
}

/** CPU µs (user + system) a process has used, from /proc (Linux); undefined elsewhere. */
function procCpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 (3 and 4 past the comm), in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

const ownCpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

export async function benchBudget(options: BudgetOptions): Promise<void> {
  const { n, report } = options;
  const server = await spawnRedisServer();
  const redisUrl = server.url;
  const names = await scriptNames();
  const probe = new Redis({ ...redisConnectionOptions(redisUrl), connectionName: 'bench-probe' });
  await probe.config('SET', 'slowlog-log-slower-than', '0');
  await probe.config('SET', 'slowlog-max-len', String(Math.max(200_000, n * 100)));
  const prefix = 'budget';

  /** The commands since the last call, excluding the probe's and a script's inner ones; `keep` picks which. */
  async function slowlogSince(): Promise<SlowEntry[]> {
    const entries = (await probe.slowlog('GET', -1)) as SlowEntry[];
    await probe.slowlog('RESET');
    return entries.filter(([, , , , client, name]) => client !== '?:0' && name !== 'bench-probe');
  }
  /** A key without its prefix and with what names one object cut off: `{budget}:dirty:kube-system/agent` → `dirty`, `bull:{budget}:events:marker` → `events:marker`. */
  const keyKind = (key: string) =>
    key
      .replace(/^.*?\{?budget\}?:/, '')
      .split(':')
      .slice(0, 2)
      .filter((part, i) => i === 0 || /^[a-z-]+$/.test(part))
      .join(':');
  function costOf(entries: readonly SlowEntry[], byKey = false): HopCost {
    const by = new Map<string, { calls: number; usec: number }>();
    let usec = 0;
    for (const [, , micros, args] of entries) {
      const command = (args[0] ?? '').toLowerCase();
      const name =
        command === 'evalsha'
          ? (names.get(args[1] ?? '') ?? `evalsha ${(args[1] ?? '').slice(0, 8)}`)
          : byKey && args[1] !== undefined
            ? `${command} ${keyKind(args[1])}`
            : command;
      const slot = by.get(name) ?? { calls: 0, usec: 0 };
      slot.calls++;
      slot.usec += micros;
      by.set(name, slot);
      usec += micros;
    }
    return { calls: entries.length, usec, by: new Map([...by].sort((a, b) => b[1].usec - a[1].usec)) };
  }
  async function evalshaStats(): Promise<{ calls: number; usec: number }> {
    const info = await probe.info('commandstats');
    const match = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(info);
    return { calls: Number(match?.[1] ?? 0), usec: Number(match?.[2] ?? 0) };
  }
  const openQueue = (name: string, queuePrefixOf: string) => new Queue(name, { connection: probe, prefix: queuePrefix(queuePrefixOf) });
  async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
      await sleep(20);
    }
  }
  const busy = async (queue: Queue) => {
    // Not 'delayed': the engine keeps repeatable jobs (the sweep) there.
    const counts = await queue.getJobCounts('wait', 'active', 'prioritized');
    return Object.values(counts).reduce((sum, c) => sum + c, 0);
  };

  const rows: { hop: string; node?: number; cost: HopCost; note?: string }[] = [];
  const events = openQueue(QueueName.Events, prefix);
  const reconcile = openQueue(QueueName.Reconcile, prefix);
  const commands = openQueue(QueueName.Commands, prefix);
  const client = await startEngine({ redisUrl, prefix, logger: options.logger, workers: false });
  const worker = await startWorkerProcess({ REDIS_URL: redisUrl, EVERYNODE_PREFIX: prefix, LOG_LEVEL: 'warn' });
  try {
    // The raw anchor: no-op jobs, added in bulk and worked off at concurrency 100 in this process.
    {
      const connection = new Redis(redisConnectionOptions(redisUrl));
      const raw = new Queue('noop', { connection, prefix: queuePrefix('budget-raw') });
      let done = 0;
      const noop = new Worker('noop', async () => undefined, { connection, prefix: queuePrefix('budget-raw'), concurrency: 100 });
      noop.on('completed', () => void done++);
      await noop.waitUntilReady();
      await slowlogSince();
      const cpu = ownCpuMicros();
      for (let i = 0; i < n; i += 1000) {
        await raw.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ name: 'noop', data: { i: i + j }, opts: { removeOnComplete: true } })));
      }
      await waitFor(async () => done >= n, 'the raw jobs');
      const node = ownCpuMicros() - cpu;
      await noop.close();
      rows.push({ hop: 'raw BullMQ no-op hop (anchor): add + work', node, cost: costOf(await slowlogSince()), note: 'add and worker in one process' });
      await raw.obliterate({ force: true });
      await raw.close();
      await connection.quit();
    }

    // What one round trip costs on this machine, whatever it carries: sequential PINGs from this process.
    {
      const connection = new Redis(redisConnectionOptions(redisUrl));
      await connection.ping();
      const pings = 2000;
      const cpu = ownCpuMicros();
      const started = performance.now();
      for (let i = 0; i < pings; i++) await connection.ping();
      const wall = ((performance.now() - started) * 1000) / pings;
      report('19. one Redis round trip here (sequential PING, ioredis)', `${wall.toFixed(0)} µs wall, ${((ownCpuMicros() - cpu) / pings).toFixed(0)} µs of client CPU`);
      await connection.quit();
      await slowlogSince();
    }

    await client.ingress.submit([options.daemonSet], { wait: true });
    await waitFor(async () => (await busy(events)) + (await busy(reconcile)) === 0 && (await probe.xlen(client.store.keys.outbox)) === 0, 'the DaemonSet to settle');
    const joins = Array.from({ length: n }, (_, i) => options.nodeEvent(`node-${i}`));
    await events.pause();
    await reconcile.pause();
    await slowlogSince();
    const evalsha0 = await evalshaStats();

    // (a) accept: this process, the workers held back.
    const cpu = ownCpuMicros();
    for (let i = 0; i < n; i += 5000) await client.ingress.submit(joins.slice(i, i + 5000));
    rows.push({ hop: '(a) accept: validate, queue on `events` (this process)', node: ownCpuMicros() - cpu, cost: costOf(await slowlogSince()) });
    const evalsha1 = await evalshaStats();

    // (b) the events worker: apply each event to the log and projection, mark the DaemonSet dirty, ask for a pass.
    let workerCpu = procCpuMicros(worker.pid);
    await events.resume();
    await waitFor(async () => (await busy(events)) === 0, 'the events worker');
    const afterEvents = procCpuMicros(worker.pid);
    rows.push({ hop: '(b) events worker: log + projection', ...(workerCpu === undefined || afterEvents === undefined ? {} : { node: afterEvents - workerCpu }), cost: costOf(await slowlogSince()) });
    const evalsha2 = await evalshaStats();

    // (c) the pass, and the outbox publisher after it.
    workerCpu = procCpuMicros(worker.pid);
    await reconcile.resume();
    await waitFor(
      async () =>
        (await commands.getJobCountByTypes('wait', 'prioritized', 'active', 'completed')) >= n &&
        (await busy(reconcile)) === 0 &&
        (await probe.xlen(client.store.keys.outbox)) === 0,
      'the pass and its commands',
    );
    const afterPass = procCpuMicros(worker.pid);
    const passEntries = await slowlogSince();
    const evalsha3 = await evalshaStats();
    const outboxKey = client.store.keys.outbox;
    const logKey = client.store.keys.log;
    // The pass's commit notes its seq in the outbox in the same script: that script is the pass's.
    const isOutbox = ([, , , args]: SlowEntry) =>
      names.get(args[1] ?? '') !== 'engine commit.lua' &&
      args.some((a) => a === outboxKey || a.includes(`:${QueueName.Commands}:`) || a.endsWith(`:${QueueName.Commands}`)) || ((args[0] ?? '').toLowerCase() === 'xrange' && args[1] === logKey);
    rows.push({
      hop: '(c) reconcile pass: read, decide, commit',
      ...(workerCpu === undefined || afterPass === undefined ? {} : { node: afterPass - workerCpu }),
      cost: costOf(passEntries.filter((e) => !isOutbox(e))),
      note: 'Node µs: the pass and the publish together',
    });
    rows.push({ hop: '(d) outbox publish: one `commands` job per create', cost: costOf(passEntries.filter(isOutbox)), note: 'Node µs: in (c)' });

    // (e) the path one event takes alone, as figure 3 sends them: joins submitted one a `submit` at
    // 100/s, nothing paused — each its own events job, pass and outbox round, every hop's Redis calls.
    const alone = Math.max(20, Math.round(n / 10));
    await waitFor(async () => (await busy(events)) + (await busy(reconcile)) === 0 && (await probe.xlen(client.store.keys.outbox)) === 0, 'the batch to settle');
    await sleep(200);
    // The worker's CPU doing nothing (lock renewals, stalled-job checks, timers) over 2 s, for scale.
    const idleFrom = procCpuMicros(worker.pid);
    await sleep(2000);
    const idleTo = procCpuMicros(worker.pid);
    const idleCalls = (await slowlogSince()).length / 2;
    workerCpu = procCpuMicros(worker.pid);
    const aloneCpu = ownCpuMicros();
    const aloneStarted = performance.now();
    for (let i = 0; i < alone; i++) {
      const wait = aloneStarted + i * 10 - performance.now();
      if (wait > 1) await sleep(wait);
      void client.ingress.submit([options.nodeEvent(`alone-${i}`)]);
    }
    await waitFor(async () => (await commands.getJobCountByTypes('wait', 'prioritized', 'active', 'completed')) >= n + alone && (await busy(reconcile)) + (await busy(events)) === 0, 'the lone joins');
    const afterAlone = procCpuMicros(worker.pid);
    const aloneSeconds = (performance.now() - aloneStarted) / 1000;
    const aloneClient = ownCpuMicros() - aloneCpu;
    const aloneCost = costOf(await slowlogSince(), true);

    const perEvent = (micros: number) => (micros / n).toFixed(1);
    report(`19. per-event budget, ${n} node joins in one batch (private redis-server; Node = CPU of the process running the hop)`, 'hop | Node µs/event | Redis µs/event | Redis calls/event');
    let totalNode = 0;
    let totalRedis = 0;
    for (const row of rows) {
      const top = [...row.cost.by].slice(0, 4).map(([name, { calls, usec }]) => `${name} ${perEvent(usec)} µs/${(calls / n).toFixed(2)}`);
      report(
        `    ${row.hop}`,
        `${row.node === undefined ? (row.note?.includes('in (c)') ? '(in c)' : 'n/a') : perEvent(row.node)} | ${perEvent(row.cost.usec)} | ${(row.cost.calls / n).toFixed(2)}   [${top.join('; ')}]`,
      );
      if (!row.hop.startsWith('raw')) {
        totalNode += row.node ?? 0;
        totalRedis += row.cost.usec;
      }
    }
    report('    total, accept to commands queued', `${perEvent(totalNode)} | ${perEvent(totalRedis)}`);
    const perAlone = (micros: number) => (micros / alone).toFixed(0);
    const aloneTop = [...aloneCost.by].sort((a, b) => b[1].calls - a[1].calls).slice(0, 14).map(([name, { calls, usec }]) => `${name} ${perAlone(usec)} µs/${(calls / alone).toFixed(1)}`);
    report(
      `    (e) one event alone (${alone} joins, one a submit at 100/s: figure 3's path), accept to command queued`,
      `${workerCpu === undefined || afterAlone === undefined ? 'n/a' : perAlone(afterAlone - workerCpu)} worker + ${perAlone(aloneClient)} client | ${perAlone(aloneCost.usec)} | ${(aloneCost.calls / alone).toFixed(1)}   [${aloneTop.join('; ')}]`,
    );
    report(
      '        the worker idle, for scale',
      `${idleFrom === undefined || idleTo === undefined ? 'n/a' : Math.round((idleTo - idleFrom) / 2)} µs of CPU and ${idleCalls.toFixed(0)} Redis calls a second (over ${aloneSeconds.toFixed(1)} s, ${(idleFrom === undefined || idleTo === undefined ? 0 : ((idleTo - idleFrom) / 2) * aloneSeconds / alone).toFixed(0)} µs an event of (e))`,
    );
    const d = (a: { calls: number; usec: number }, b: { calls: number; usec: number }) => `${perEvent(b.usec - a.usec)} µs, ${((b.calls - a.calls) / n).toFixed(2)} calls`;
    report('    INFO commandstats evalsha per event (cross-check; probes included)', `(a) ${d(evalsha0, evalsha1)}; (b) ${d(evalsha1, evalsha2)}; (c+d) ${d(evalsha2, evalsha3)}`);
  } finally {
    await kill(worker, 'SIGTERM');
    await client.close();
    await Promise.all([events, reconcile, commands].map((q) => q.close()));
    await probe.quit();
    await server.stop();
  }
}
