/**
 * A real local Redis Cluster for tests and the benchmark: six `redis-server`
 * processes (three masters, three replicas), `--cluster-enabled yes`, AOF
 * with `appendfsync everysec`, joined by `redis-cli --cluster create …
 * --cluster-replicas 1 --cluster-yes`, ready once every node reports
 * `cluster_state:ok` and sees all 16384 slots. A short
 * `cluster-node-timeout` (1500 ms by default) makes a replica take over
 * within a few seconds of its master's death. `stop()` kills every process
 * and removes their directory. No mocks: these are the real servers.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Cluster, Redis } from 'ioredis';

const run = promisify(execFile);

export interface RedisClusterNode {
  readonly port: number;
  readonly pid: number;
  /** SIGKILL this node (a crash: no goodbye, AOF as far as the last fsync). */
  kill(): void;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Start it again after `kill()` (same port, directory and cluster config): it rejoins, as a replica if it was replaced. */
  restart(): Promise<void>;
}

export interface LocalRedisCluster {
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,…` — every node, masters and replicas. */
  readonly url: string;
  readonly nodes: readonly RedisClusterNode[];
  readonly dir: string;
  /** The node serving `port`. */
  node(port: number): RedisClusterNode;
  /** Kill every node and remove the directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartRedisClusterOptions {
  /** Milliseconds a master may be unreachable before its replica is promoted. Default 1500. */
  nodeTimeoutMs?: number;
}

/** Start six nodes on free ports and create the cluster; resolves when it is `ok` everywhere. */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<LocalRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'everynode-rcluster-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => killAndWait(child)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports = await freePorts(6);
    for (const port of ports) children.push(startNode(port, dir, options.nodeTimeoutMs ?? 1500));
    await Promise.all(ports.map((port) => waitForPing(port)));
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });
    await Promise.all(ports.map((port) => waitForClusterOk(port)));
    await Promise.all(ports.map((port) => waitForReplication(port)));
    const nodeTimeoutMs = options.nodeTimeoutMs ?? 1500;
    const nodes = ports.map((port, i) =>
      nodeHandle(port, children[i] as ChildProcess, async () => {
        const child = startNode(port, dir, nodeTimeoutMs);
        children.push(child);
        await waitForPing(port);
        return child;
      }),
    );
    return {
      url: `redis+cluster://${addresses.join(',')}`,
      nodes,
      dir,
      node(port) {
        const found = nodes.find((n) => n.port === port);
        if (!found) throw new Error(`no cluster node on port ${port}`);
        return found;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function startNode(port: number, dir: string, nodeTimeoutMs: number): ChildProcess {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--cluster-enabled', 'yes',
    '--cluster-config-file', `nodes-${port}.conf`,
    '--cluster-node-timeout', String(nodeTimeoutMs),
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--appendfilename', `appendonly-${port}.aof`,
    '--appenddirname', `aof-${port}`,
    '--dbfilename', `dump-${port}.rdb`,
    '--save', '',
    '--dir', dir,
  ];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  child.unref();
  return child;
}

function nodeHandle(port: number, first: ChildProcess, start: () => Promise<ChildProcess>): RedisClusterNode {
  let child = first;
  return {
    port,
    get pid() {
      return child.pid ?? -1;
    },
    kill: () => void child.kill('SIGKILL'),
    alive: () => child.exitCode === null && child.signalCode === null,
    async restart() {
      if (child.exitCode === null && child.signalCode === null) throw new Error(`cluster node ${port} is still running`);
      child = await start();
    },
  };
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Unreferenced while it runs (it must not keep a test process alive); waited for here.
  child.ref();
  child.kill('SIGKILL');
  await exited;
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  await until(async () => (await ask(port, (r) => r.ping())) === 'PONG', timeoutMs, `redis-server on ${port} to answer PING`);
}

/** `cluster_state:ok` on this node, and all slots known to it. */
async function waitForClusterOk(port: number, timeoutMs = 30_000): Promise<void> {
  await until(
    async () => {
      const info = (await ask(port, (r) => r.cluster('INFO'))) ?? '';
      return /cluster_state:ok/.test(info) && /cluster_slots_ok:16384/.test(info);
    },
    timeoutMs,
    `cluster node ${port} to report cluster_state:ok`,
  );
}

/** A replica's link to its master is up (a master passes at once): WAIT can be answered. */
async function waitForReplication(port: number, timeoutMs = 30_000): Promise<void> {
  await until(
    async () => {
      const info = (await ask(port, (r) => r.info('replication'))) ?? '';
      return /role:master/.test(info) ? /connected_slaves:[1-9]/.test(info) : /master_link_status:up/.test(info);
    },
    timeoutMs,
    `cluster node ${port} to replicate`,
  );
}

/**
 * The address (`host:port`) of the master serving `slot`, as the node on
 * `askPort` sees the cluster now (`CLUSTER SLOTS`): a live node's view moves
 * to the promoted replica after a failover, whatever a client has cached.
 */
export async function masterOfSlot(askPort: number, slot: number): Promise<string | undefined> {
  const slots = (await ask(askPort, (r) => r.cluster('SLOTS'))) as [number, number, [string, number, ...unknown[]], ...unknown[]][] | undefined;
  const range = slots?.find(([from, to]) => from <= slot && slot <= to);
  return range ? `${range[2][0]}:${range[2][1]}` : undefined;
}

/** Run `f` on a short-lived plain connection to `port`; undefined when it fails. */
async function ask<T>(port: number, f: (redis: Redis) => Promise<T>): Promise<T | undefined> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await f(redis);
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * `count` distinct ports free on 127.0.0.1 whose cluster bus ports (+10000)
 * are valid too. Held open together, so no two are the same.
 */
async function freePorts(count: number): Promise<number[]> {
  const servers = [];
  const ports: number[] = [];
  while (ports.length < count) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    servers.push(server);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    if (port > 0 && port + 10_000 <= 65_535) ports.push(port);
  }
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** The address (`host:port`) of the master serving `key`'s slot, as `cluster`'s slot map says. */
export async function masterAddressOf(cluster: Cluster, key: string): Promise<string> {
  if (cluster.status !== 'ready') await cluster.ping();
  const slot = Number(await cluster.cluster('KEYSLOT', key));
  const address = cluster.slots[slot]?.[0];
  if (address === undefined) throw new Error(`no master known for slot ${slot} (${key})`);
  return address;
}

/** The masters' addresses (`host:port`), as `cluster`'s slot map says. */
export async function masterAddresses(cluster: Cluster): Promise<string[]> {
  if (cluster.status !== 'ready') await cluster.ping();
  return [...new Set(cluster.slots.map((nodes) => nodes[0]).filter((a): a is string => a !== undefined))].sort();
}

/** A plain connection to one node (`host:port`) of the cluster, for asking it directly. */
export function nodeConnection(address: string): Redis {
  const [host, port] = address.split(':') as [string, string];
  return new Redis({ host, port: Number(port), lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** `cluster_state` (`ok` or `fail`) as the node on `askPort` sees the cluster; undefined when it does not answer. */
export async function clusterStateOf(askPort: number): Promise<string | undefined> {
  const info = await ask(askPort, (r) => r.cluster('INFO'));
  return info === undefined ? undefined : /cluster_state:(\w+)/.exec(String(info))?.[1];
}

/** The ports of the replicas of the master at `master` (`host:port`), as the node on `askPort` sees them (`CLUSTER NODES`). */
export async function replicaPortsOf(askPort: number, master: string): Promise<number[]> {
  const nodes = String((await ask(askPort, (r) => r.cluster('NODES'))) ?? '').split('\n').map((line) => line.split(' '));
  const id = nodes.find((fields) => fields[1]?.startsWith(`${master}@`))?.[0];
  return nodes.filter((fields) => id !== undefined && fields[3] === id).map((fields) => Number(fields[1]?.split('@')[0]?.split(':')[1]));
}
