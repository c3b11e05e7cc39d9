/**
 * The startup check: before a process builds its long-lived connections
 * (which reconnect forever, and would turn a wrong password into an endless
 * stream of errors), it connects once, without retrying, and asks PING.
 * A wrong or missing password, TLS against a plain server, a closed port or
 * an unknown host fail here within `timeoutMs`, as a `RedisUnreachableError`
 * whose message is one line: where (the URL, password redacted), what Redis
 * or the network said, and what to check. An outage after this check passed
 * is the long-lived connections' business: they reconnect.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { redisConnectionOptions } from './redis-connect.ts';
import { redactUrl } from './redact.ts';
import { clusterTarget, isClusterUrl } from './redis-target.ts';

export interface CheckRedisOptions {
  /** How long connecting (TLS handshake included), and then PING, may each take. Default 3000 ms. */
  timeoutMs?: number;
  /** Where the URL came from, named in the hint. Default `REDIS_URL`. */
  urlSource?: string;
}

/** Redis could not be reached or refused us at startup; the message is one line, ready to print. */
export class RedisUnreachableError extends Error {
  override readonly name = 'RedisUnreachableError';
  constructor(
    /** The URL, password redacted. */
    readonly url: string,
    /** What Redis or the network said. */
    readonly reason: string,
    /** What to check; empty when we have no advice. */
    readonly hint: string,
  ) {
    super(`cannot connect to Redis at ${url}: ${reason}${hint ? ` (${hint})` : ''}`);
  }
}

/**
 * Connect to `url` once and PING. Resolves when Redis answers (a server
 * still loading its data counts: it is there and took our credentials);
 * otherwise rejects with a `RedisUnreachableError`. Never retries.
 */
export async function checkRedis(url: string, options: CheckRedisOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const source = options.urlSource ?? 'REDIS_URL';
  if (isClusterUrl(url)) return checkCluster(url, timeoutMs, source);
  let connection;
  try {
    connection = redisConnectionOptions(url);
  } catch (error) {
    throw new RedisUnreachableError(redactUrl(url), (error as Error).message, `check ${source}`);
  }
  const failure = await pingOnce(connection, timeoutMs, async () => undefined);
  if (failure) throw new RedisUnreachableError(redactUrl(url), reasonOf(failure), hintFor(failure, { tls: connection.tls !== undefined, source, timeoutMs }));
}

/**
 * A cluster URL passes when some node it lists answers PING and says
 * `cluster_state:ok` (the client finds the other nodes from it). When none
 * does, the error is the first node's, named by its address.
 */
async function checkCluster(url: string, timeoutMs: number, source: string): Promise<void> {
  let target;
  try {
    target = clusterTarget(url);
  } catch (error) {
    throw new RedisUnreachableError(redactUrl(url), (error as Error).message, `check ${source}`);
  }
  let first: { node: string; error: Error } | undefined;
  for (const node of target.nodes) {
    const failure = await pingOnce({ ...target.nodeOptions, ...node }, timeoutMs, async (client) => {
      const info = String(await client.call('CLUSTER', 'INFO'));
      const state = /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown';
      if (state !== 'ok') throw new Error(`cluster_state:${state}`);
    });
    if (!failure) return;
    first ??= { node: `${node.host}:${node.port}`, error: failure };
  }
  if (!first) return;
  const { node, error } = first;
  let hint = hintFor(error, { tls: target.nodeOptions.tls !== undefined, source, timeoutMs });
  if (/cluster support disabled/i.test(error.message)) hint = `this server is not a cluster node: use redis:// (not redis+cluster://) in ${source}`;
  if (/^cluster_state:/.test(error.message)) hint = 'the cluster does not serve every slot yet (redis-cli --cluster check): wait for it, or fix it';
  throw new RedisUnreachableError(redactUrl(url), `node ${node}: ${reasonOf(error)}`, hint);
}

/**
 * Connect once (no retry), PING, then `then(client)`: undefined when all
 * went well, else what failed (a server still loading its data passes).
 */
async function pingOnce(connection: RedisOptions, timeoutMs: number, then: (client: Redis) => Promise<void>): Promise<Error | undefined> {
  const client = new Redis({
    ...connection,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    enableReadyCheck: false,
  });
  // The connection's own error (WRONGPASS, ECONNREFUSED…) arrives as an event; connect() then only says "Connection is closed".
  let first: Error | undefined;
  client.on('error', (error: Error) => (first ??= error));
  try {
    await client.connect();
    await client.ping();
    await then(client);
    return undefined;
  } catch (error) {
    const cause = first ?? (error as Error);
    return /^LOADING\b/.test(cause.message) ? undefined : cause;
  } finally {
    client.disconnect();
  }
}

/**
 * For a process's entry point, on a failed start: a `RedisUnreachableError`
 * is printed as `PROGRAM: cannot connect to Redis at …` on stderr and the
 * process exits 1 (no stack: the line says it all); anything else is rethrown.
 */
export function exitIfRedisUnreachable(program: string, error: unknown): never {
  if (!(error instanceof RedisUnreachableError)) throw error;
  process.stderr.write(`${program}: ${error.message}\n`);
  process.exit(1);
}

/** The error's message, on one line, with its code when the message does not already say it. */
function reasonOf(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error.message.replace(/\s*\n\s*/g, ' ').trim();
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/** What to check, from what failed. */
function hintFor(error: Error, { tls, source, timeoutMs }: { tls: boolean; source: string; timeoutMs: number }): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const text = `${code} ${error.message}`;
  if (/WRONGPASS|invalid password|invalid username-password/i.test(text)) return `check the password in ${source}`;
  if (/NOAUTH|Authentication required/i.test(text)) return `the server requires a password: give it in ${source} as redis://:PASSWORD@host:port`;
  if (/NOPERM/.test(text)) return `the user in ${source} lacks a permission everynode needs`;
  if (/ECONNREFUSED/.test(text)) return `nothing listens there: is Redis running? check the host and port in ${source}`;
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return `unknown host: check the host name in ${source}`;
  if (/CERT|certificate/i.test(text)) return `the server's TLS certificate is not trusted: add its CA with NODE_EXTRA_CA_CERTS`;
  if (/EPROTO|SSL|TLS/i.test(text)) return tls ? `the server does not speak TLS: use redis:// rather than rediss:// in ${source}` : '';
  if (/ETIMEDOUT|timed out/i.test(text)) {
    const why = `no answer within ${timeoutMs} ms: check the host, port and firewall`;
    return tls ? `${why}; if the server does not speak TLS, use redis:// rather than rediss:// in ${source}` : why;
  }
  if (/ECONNRESET|Connection is closed/i.test(text)) return tls ? '' : `the server closed the connection: if it expects TLS, use rediss:// in ${source}`;
  return '';
}
