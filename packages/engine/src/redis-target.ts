/**
 * Where Redis is, read from a URL: one server (`redis://`, `rediss://`) or a
 * Redis Cluster (`redis+cluster://h:p,h:p`, `rediss+cluster://…` for TLS).
 * A cluster URL lists some or all of its nodes (the client discovers the
 * rest from `CLUSTER SLOTS`); credentials, when given, are the same for
 * every node. Errors name the URL with its password redacted.
 */
import type { RedisOptions } from 'ioredis';
import { redactUrl } from './redact.ts';

/** One node of a cluster URL. */
export interface ClusterNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** What a cluster URL says: the startup nodes and the options every node connection shares. */
export interface ClusterTarget {
  readonly nodes: readonly ClusterNodeAddress[];
  /** Credentials and TLS for every node; no host, port or db. */
  readonly nodeOptions: RedisOptions;
}

const ClusterUrl = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]+)\/?(\d*)$/;

/** True for `redis+cluster://…` and `rediss+cluster://…`. */
export function isClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:/i.test(url.trim());
}

/**
 * Several `--redis` values as one URL: one value is itself; several are the
 * nodes of one cluster (`redis://h:p` each, same credentials), written as
 * `redis+cluster://[auth@]h:p,h:p`.
 */
export function joinRedisUrls(urls: readonly string[]): string {
  if (urls.length === 0) throw new Error('--redis: no URL given');
  if (urls.length === 1) return urls[0] as string;
  const parsed = urls.map((url) => {
    if (isClusterUrl(url)) throw new Error(`--redis ${redactUrl(url)}: a cluster URL cannot be combined with other --redis values`);
    try {
      return new URL(url);
    } catch {
      throw new Error('--redis: a value is not a URL: expected redis://[[user]:password@]host[:port] once per cluster node');
    }
  });
  const protocols = new Set(parsed.map((u) => u.protocol));
  const auths = new Set(parsed.map((u) => (u.username || u.password ? `${u.username}:${u.password}` : '')));
  if (protocols.size > 1) throw new Error('--redis: the nodes of one cluster must all use redis:// or all rediss://');
  if (auths.size > 1) throw new Error('--redis: the nodes of one cluster must all have the same credentials');
  const [first] = parsed as [URL, ...URL[]];
  const auth = first.username || first.password ? `${first.username}:${first.password}@` : '';
  const scheme = first.protocol === 'rediss:' ? 'rediss' : 'redis';
  return `${scheme}+cluster://${auth}${parsed.map((u) => `${u.hostname}:${u.port || 6379}`).join(',')}`;
}

/** The nodes and shared options of a `redis+cluster://[[user]:password@]h:p,h:p` URL. */
export function clusterTarget(url: string): ClusterTarget {
  const match = ClusterUrl.exec(url.trim());
  if (!match) {
    throw new Error(`redis URL ${redactUrl(url)}: expected redis+cluster://[[user]:password@]host:port[,host:port…] (or rediss+cluster:// for TLS)`);
  }
  const [, scheme, auth, hostList, db] = match as unknown as [string, string, string | undefined, string, string];
  if (db !== '' && db !== '0') throw new Error(`redis URL ${redactUrl(url)}: a Redis Cluster has only database 0, not ${db}`);
  const nodes = hostList.split(',').map((address) => nodeAddress(address, url));
  const nodeOptions: RedisOptions = {};
  if (auth) {
    const colon = auth.indexOf(':');
    const user = colon < 0 ? auth : auth.slice(0, colon);
    const password = colon < 0 ? '' : auth.slice(colon + 1);
    if (user) nodeOptions.username = decodeURIComponent(user);
    if (password) nodeOptions.password = decodeURIComponent(password);
  }
  if (scheme === 'rediss') nodeOptions.tls = {};
  return { nodes, nodeOptions };
}

function nodeAddress(address: string, url: string): ClusterNodeAddress {
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d+))?$/.exec(address.trim());
  if (!match) throw new Error(`redis URL ${redactUrl(url)}: node "${address}" is not host:port`);
  const port = match[2] === undefined ? 6379 : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`redis URL ${redactUrl(url)}: node "${address}" has no valid port (1-65535)`);
  return { host: (match[1] as string).replace(/^\[(.*)\]$/, '$1'), port };
}
