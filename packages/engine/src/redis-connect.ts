/**
 * Redis, found or started. Every everynode process needs one Redis; this
 * module finds it the way a user expects, in this order, and stops at the
 * first that works:
 *
 * 1. the URL given (`options.url`, e.g. `everynode up --redis URL`) or `REDIS_URL`;
 * 2. `redis://127.0.0.1:6379`, if it answers PING;
 * 3. a private `redis-server` from PATH on a free port;
 * 4. a `redis:7-alpine` container through testcontainers, if a Docker engine answers.
 *
 * When all four fail the error names each of them and why it failed.
 * Whatever this module started it also stops: on `stop()`, and — for a
 * spawned server — when the process exits (an `exit` handler; a process
 * killed by a signal without a handler of its own does not run it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { redactUrl } from './redact.ts';

/** A Redis to use, and how to let go of it. */
export interface RedisHandle {
  /** `redis://` or `rediss://` URL, possibly with a password. */
  readonly url: string;
  /**
   * How it was found: `env` — given (`options.url` or `REDIS_URL`);
   * `default` — the default address answered; `spawned` — a private
   * `redis-server`; `container` — a testcontainers container.
   */
  readonly how: 'env' | 'default' | 'spawned' | 'container';
  /** Stops what this module started (server or container); a no-op for `env` and `default`. */
  stop(): Promise<void>;
}

export interface FindOrStartRedisOptions {
  /** Use this URL and look no further. Default: `REDIS_URL`, if set. */
  url?: string;
  /** Told which Redis was chosen and why (pino-compatible). Default: silent. */
  logger?: { info(obj: object, msg?: string): void };
  /** For a server or container this module starts: AOF on, `appendfsync everysec`. Default `false`. */
  appendOnly?: boolean;
  /**
   * For a server or container this module starts: where Redis keeps its
   * files (kept after `stop()`). Default: a fresh temporary directory,
   * removed on `stop()`.
   */
  dataDir?: string;
  /** The address tried second. Default `redis://127.0.0.1:6379`. */
  defaultUrl?: string;
}

export interface SpawnRedisServerOptions {
  /** Default: a free port on 127.0.0.1. */
  port?: number;
  /** AOF on with `appendfsync everysec`. Default `false`. */
  appendOnly?: boolean;
  /**
   * Redis's working directory (AOF files). Yours is kept after `stop()`, so a
   * second server on the same `dir` finds the data. Default: a fresh
   * temporary directory, removed on `stop()`.
   */
  dir?: string;
}

export interface SpawnedRedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  /**
   * Sends `signal` (default `SIGTERM`) and resolves once the process has
   * exited (`SIGKILL` after 5 s if it has not). Safe to call twice.
   */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The address tried when no URL is given (docs/contract.md §6). */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** How long a probe may take to connect, and then to get PONG back. */
const PROBE_TIMEOUT_MS = 500;
/** How long a spawned server has to answer PING. */
const READY_TIMEOUT_MS = 5_000;
/** How long `stop()` waits for the process before `SIGKILL`. */
const STOP_GRACE_MS = 5_000;
const CONTAINER_IMAGE = 'redis:7-alpine';

/** Finds a Redis or starts one; see the module header for the order. */
export async function findOrStartRedis(options: FindOrStartRedisOptions = {}): Promise<RedisHandle> {
  const log = options.logger ?? { info: () => undefined };
  const given = options.url ?? process.env.REDIS_URL;
  if (given) {
    // Trusted as given: falling back to another Redis would hide a typo or an outage.
    log.info({ url: redactUrl(given), how: 'env' }, 'redis: using the given URL');
    return { url: given, how: 'env', stop: async () => undefined };
  }

  const defaultUrl = options.defaultUrl ?? DEFAULT_REDIS_URL;
  if (await redisAnswers(defaultUrl)) {
    log.info({ url: redactUrl(defaultUrl), how: 'default' }, 'redis: the default address answers');
    return { url: defaultUrl, how: 'default', stop: async () => undefined };
  }

  const whyNotSpawned = await trySpawn(options);
  if (typeof whyNotSpawned !== 'string') {
    log.info({ url: whyNotSpawned.url, how: 'spawned', pid: whyNotSpawned.pid, dir: whyNotSpawned.dir }, 'redis: started redis-server');
    return { url: whyNotSpawned.url, how: 'spawned', stop: () => whyNotSpawned.stop() };
  }

  const whyNoContainer = await tryContainer(options);
  if (typeof whyNoContainer !== 'string') {
    log.info({ url: whyNoContainer.url, how: 'container', image: CONTAINER_IMAGE }, 'redis: started a container');
    return whyNoContainer;
  }

  throw new Error(
    `no Redis: REDIS_URL is not set, nothing answers on ${hostPort(defaultUrl)}, ${whyNotSpawned}, ` +
      `and ${whyNoContainer} — set REDIS_URL or install redis-server`,
  );
}

/**
 * ioredis options for a `redis://[[user]:password@]host[:port][/db]` or
 * `rediss://…` (TLS) URL, ready for BullMQ: `maxRetriesPerRequest: null`
 * (a Worker's blocking commands must wait out a reconnect, not fail) and
 * `enableReadyCheck: true`. Host defaults to `127.0.0.1`, port to 6379, db to 0.
 */
export function redisConnectionOptions(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // URL's own error carries the input, password and all.
    throw new Error('redis URL is not a URL: expected redis://[[user]:password@]host[:port][/db]');
  }
  if (parsed.protocol === 'redis+cluster:' || parsed.protocol === 'rediss+cluster:') {
    throw new Error(`redis URL ${redactUrl(url)}: a cluster URL names several nodes: connect with openRedis, not one server's options`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`redis URL ${redactUrl(url)}: protocol must be redis: or rediss:, not ${parsed.protocol}`);
  }
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
  };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '') {
    if (!/^\d+$/.test(db)) throw new Error(`redis URL ${redactUrl(url)}: database must be a number, not "${db}"`);
    options.db = Number(db);
  }
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
}

/** Starts a private `redis-server` from PATH, bound to 127.0.0.1, and waits until it answers PING. */
export async function spawnRedisServer(options: SpawnRedisServerOptions = {}): Promise<SpawnedRedisServer> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'everynode-redis-')));
  // A free port can be taken between our look and redis's bind: try a few.
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await startServer(port, dir, ownDir, options.appendOnly ?? false);
    } catch (error) {
      lastError = error;
      if (error instanceof RedisServerNotFoundError || !/Address already in use/.test(String(error))) break;
    }
  }
  if (ownDir) rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

/** `redis-server` is not on PATH. */
export class RedisServerNotFoundError extends Error {
  constructor() {
    super('redis-server is not on PATH');
    this.name = 'RedisServerNotFoundError';
  }
}

/**
 * True when `url` answers PING with PONG within the probe timeout — and, with
 * `pid`, when the server answering is that process. Never throws, never retries.
 */
async function redisAnswers(url: string, pid?: number): Promise<boolean> {
  let client: Redis;
  try {
    client = new Redis({
      ...redisConnectionOptions(url),
      lazyConnect: true,
      connectTimeout: PROBE_TIMEOUT_MS,
      commandTimeout: PROBE_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      enableReadyCheck: false,
    });
  } catch {
    return false;
  }
  // The failure reaches us through connect()/ping(); without a listener
  // ioredis would also print it as an "Unhandled error event".
  client.on('error', () => undefined);
  try {
    await client.connect();
    if ((await client.ping()) !== 'PONG') return false;
    return pid === undefined || new RegExp(`^process_id:${pid}\\s*$`, 'm').test(await client.info('server'));
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** The spawned server, or why there is none, in words for the final error. */
async function trySpawn(options: FindOrStartRedisOptions): Promise<SpawnedRedisServer | string> {
  try {
    return await spawnRedisServer({ appendOnly: options.appendOnly, dir: options.dataDir });
  } catch (error) {
    if (error instanceof RedisServerNotFoundError) return 'redis-server is not on PATH';
    return `redis-server did not start (${errorMessage(error)})`;
  }
}

async function startServer(port: number, dir: string, ownDir: boolean, appendOnly: boolean): Promise<SpawnedRedisServer> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', appendOnly ? 'yes' : 'no', '--dir', dir];
  if (appendOnly) args.push('--appendfsync', 'everysec');
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = keepTail(child);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ENOENT' ? 'ENOENT' : error.message));
    child.once('exit', (code, signal) => resolve(`exited with ${signal ?? `code ${code}`}`));
  });
  const url = `redis://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  // No pid means the spawn itself failed (e.g. ENOENT); `exited` says how.
  const pid = child.pid;
  const outcome = pid === undefined ? await exited : await Promise.race([waitUntilAnswers(url, pid, READY_TIMEOUT_MS, () => gone), exited]);
  if (outcome !== 'ready') {
    child.kill('SIGKILL');
    if (outcome === 'ENOENT') throw new RedisServerNotFoundError();
    const why = outcome === 'timeout' ? `no PONG within ${READY_TIMEOUT_MS} ms` : outcome;
    throw new Error(`redis-server on port ${port} ${why}: ${output().trim().split('\n').slice(-3).join(' | ')}`);
  }
  return trackServer(child, { url, port, dir, ownDir, exited });
}

/** Wires `stop()` and the exit handler to a running server. */
function trackServer(
  child: ChildProcess,
  server: { url: string; port: number; dir: string; ownDir: boolean; exited: Promise<string> },
): SpawnedRedisServer {
  const cleanup = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    if (server.ownDir) rmSync(server.dir, { recursive: true, force: true });
  };
  killOnExit(cleanup);
  // Redis should not be what keeps this process alive; the exit handler ends it.
  child.unref();
  (child.stdout as Socket | null)?.unref();
  (child.stderr as Socket | null)?.unref();
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    liveServers.delete(cleanup);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await server.exited;
      clearTimeout(timer);
    }
    if (server.ownDir) rmSync(server.dir, { recursive: true, force: true });
  };
  return { url: server.url, port: server.port, dir: server.dir, pid: child.pid ?? -1, stop };
}

/** Cleanups of the servers still running, run when the process exits. */
const liveServers = new Set<() => void>();
let exitHandlerInstalled = false;

function killOnExit(cleanup: () => void): void {
  // One listener for all servers, added with the first: importing this module has no side effect.
  if (!exitHandlerInstalled) {
    process.on('exit', () => liveServers.forEach((each) => each()));
    exitHandlerInstalled = true;
  }
  liveServers.add(cleanup);
}

/**
 * Polls until the server `pid` answers on `url` (`'ready'`), or `timeoutMs`
 * passes or `gaveUp()` (`'timeout'`). The pid check keeps another Redis that
 * already holds the port from passing for ours.
 */
async function waitUntilAnswers(url: string, pid: number, timeoutMs: number, gaveUp: () => boolean): Promise<'ready' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gaveUp()) {
    if (await redisAnswers(url, pid)) return 'ready';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return 'timeout';
}

/** The last few KB a child printed, for the error when it fails to start. */
function keepTail(child: ChildProcess): () => string {
  let tail = '';
  const append = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => tail;
}

/** A port that was free on 127.0.0.1 a moment ago. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** The container handle, or why there is none, in words for the final error. */
async function tryContainer(options: FindOrStartRedisOptions): Promise<RedisHandle | string> {
  if (!(await dockerEngineAnswers())) return 'no Docker engine answers';
  // An optional dependency: loaded only when there is an engine to use it with.
  const testcontainers = await import('testcontainers').catch(() => undefined);
  if (!testcontainers) return 'a Docker engine answers but testcontainers is not installed';
  try {
    const appendOnly = options.appendOnly ?? false;
    const command = ['redis-server', '--save', '', '--appendonly', appendOnly ? 'yes' : 'no', '--maxmemory-policy', 'noeviction'];
    if (appendOnly) command.push('--appendfsync', 'everysec');
    let container = new testcontainers.GenericContainer(CONTAINER_IMAGE)
      .withCommand(command)
      .withExposedPorts(6379)
      .withWaitStrategy(testcontainers.Wait.forLogMessage(/Ready to accept connections/));
    if (options.dataDir) container = container.withBindMounts([{ source: options.dataDir, target: '/data' }]);
    const started = await container.start();
    const url = `redis://${started.getHost()}:${started.getMappedPort(6379)}`;
    return { url, how: 'container', stop: async () => void (await started.stop()) };
  } catch (error) {
    return `a Docker engine answers but the ${CONTAINER_IMAGE} container did not start (${errorMessage(error)})`;
  }
}

/**
 * True when `DOCKER_HOST` (or, without it, `/var/run/docker.sock`) answers
 * `GET /_ping`. Endpoints we cannot ping cheaply (ssh://, TLS) are left for
 * testcontainers to judge.
 */
async function dockerEngineAnswers(): Promise<boolean> {
  const host = process.env.DOCKER_HOST;
  if (!host) return existsSync('/var/run/docker.sock') && httpPing({ socketPath: '/var/run/docker.sock' });
  if (host.startsWith('unix://')) return httpPing({ socketPath: host.slice('unix://'.length) });
  if (host.startsWith('tcp://') && !process.env.DOCKER_TLS_VERIFY) {
    const { hostname, port } = new URL(host);
    return httpPing({ host: hostname, port: Number(port || 2375) });
  }
  return true;
}

async function httpPing(target: { socketPath: string } | { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ ...target, path: '/_ping', timeout: PROBE_TIMEOUT_MS }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(false));
  });
}

function hostPort(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 6379}`;
  } catch {
    return url;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
