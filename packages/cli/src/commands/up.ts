/**
 * `everynode up`: run a local cluster — HTTP API, workers, with
 * `--simulate` a simulated node agent, and with `--bridges FILE` (or
 * `EVERYNODE_BRIDGES` / `EVERYNODE_BRIDGES_FILE`) the bridges that file
 * configures — until interrupted. A bad bridge configuration stops it
 * before anything starts, naming each field at fault. This file only
 * wires flags to `startLocalCluster` (../local-cluster.ts), loaded only when
 * `up` runs so that every other command starts without the engine.
 *
 * Safe by default: the API binds 127.0.0.1 (`--address`), answers only
 * loopback Host names, serves HTTPS and wants a token. The token is
 * `EVERYNODE_TOKENS_FILE` / `EVERYNODE_TOKEN`'s, or else an admin token
 * generated for the run; the certificate `--tls-cert`/`--tls-key`'s (or
 * `EVERYNODE_TLS_CERT`/`EVERYNODE_TLS_KEY`'s), or else a self-signed one
 * generated for the run — HTTPS always, because kubectl sends a token over
 * HTTPS only. What was generated is printed once and left in `up`'s
 * credentials file (../credentials.ts) for the CLI of the same user.
 */
import { resolve } from 'node:path';
import type { Bridge } from '@everynode/bridges/config';
// The light entry: redaction without loading the engine.
import { safeLogOptions } from '@everynode/engine/redact';
import { joinRedisUrls } from '@everynode/engine/redis-target';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { AuthOptions, TlsOptions } from '@everynode/server';
import type { CliContext } from '../context.ts';
import { type Credentials, removeUpCredentials, saveUpCredentials, upCertificateFile } from '../credentials.ts';
import { CliError } from '../errors.ts';
import { untilSignal } from '../process-io.ts';
import { integerFlag } from './log.ts';

/** What `up` hands to `startLocalCluster`. */
export interface UpOptions {
  /** Worker processes (event handlers and reconcilers). */
  readonly workers: number;
  /** Also run the simulated node agent. */
  readonly simulate: boolean;
  /** HTTP port. */
  readonly port: number;
  /** The address the API binds (`--address`, default 127.0.0.1). */
  readonly address: string;
  /** Tokens (configured, or the one generated), allowed hosts, rate limit. */
  readonly auth: AuthOptions;
  /** HTTPS certificate and key (`--tls-cert`, `--tls-key`, else generated). */
  readonly tls: TlsOptions;
  /** Redis to use (`--redis`, else `REDIS_URL`); unset: 127.0.0.1:6379 if it answers, else a private redis-server. */
  readonly redisUrl?: string;
  /** Key and queue prefix (`--prefix`, else `EVERYNODE_PREFIX`, else `everynode`). */
  readonly prefix: string;
  /** Logs: JSON lines on stderr, pretty in a terminal. */
  readonly logger: Logger;
  /** Bridges to run against the cluster's engine (`--bridges`); absent: none. */
  readonly bridges?: readonly Bridge[];
}

/** What `startLocalCluster` may resolve to: something that can be stopped. */
interface RunningCluster {
  url?: string;
  dashboardUrl?: string | undefined;
  stop?: () => Promise<void> | void;
  close?: () => Promise<void> | void;
}

type StartLocalCluster = (options: UpOptions) => Promise<RunningCluster | undefined>;

/** The local cluster, loaded only when `up` runs: every other command must work without the engine's runtime. */
async function importCluster(): Promise<Record<string, unknown>> {
  return (await import('../local-cluster.ts')) as Record<string, unknown>;
}

/** pino on stderr: JSON lines, or pretty when a person is watching (docs/contract.md §6); URL passwords redacted. */
async function upLogger(env: Readonly<Record<string, string | undefined>>): Promise<Logger> {
  // Loaded here, not at the top: every other command starts without it.
  const { default: pino } = await import('pino');
  const level = env.LOG_LEVEL || 'info';
  return process.stderr.isTTY
    ? pino({ level, ...safeLogOptions, transport: { target: 'pino-pretty', options: { destination: 2 } } })
    : pino({ level, ...safeLogOptions }, pino.destination(2));
}

async function loadStart(ctx: CliContext): Promise<StartLocalCluster> {
  let engine: Record<string, unknown>;
  try {
    engine = await (ctx.io.loadEngine ?? importCluster)();
  } catch (error) {
    throw new CliError(`error: cannot load the local cluster: ${(error as Error).message.split('\n')[0]}`);
  }
  const start = engine.startLocalCluster;
  if (typeof start !== 'function') throw new CliError('error: the local cluster module does not export startLocalCluster');
  return start as StartLocalCluster;
}

interface UpFlags {
  workers: number;
  simulate?: boolean;
  port: number;
  address: string;
  tlsCert?: string;
  tlsKey?: string;
  redis?: string[];
  prefix?: string;
  bridges?: string;
}

/** `--redis` (several: the nodes of one Redis Cluster), else `REDIS_URL`; a `CliError` when the values do not make one cluster. */
function redisUrlOf(flags: string[] | undefined, env: string | undefined): { redisUrl?: string } {
  if (flags === undefined || flags.length === 0) return env ? { redisUrl: env } : {};
  try {
    return { redisUrl: joinRedisUrls(flags) };
  } catch (error) {
    throw new CliError(`error: ${(error as Error).message}`);
  }
}

/** The bridges `--bridges`, else the environment, configures; a `CliError` naming each problem. */
async function bridgesOf(flags: UpFlags, ctx: CliContext): Promise<Bridge[] | undefined> {
  // Loaded here, not at the top: every other command starts without it (and the YAML parser it brings).
  const { ConfigError, loadBridges } = await import('@everynode/bridges/config');
  try {
    return loadBridges(flags.bridges === undefined ? undefined : resolve(ctx.io.cwd, flags.bridges), { env: ctx.io.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const where = flags.bridges ?? (ctx.io.env.EVERYNODE_BRIDGES?.trim() ? 'EVERYNODE_BRIDGES' : ctx.io.env.EVERYNODE_BRIDGES_FILE);
    throw new CliError([`error: bad bridge configuration (${where}):`, ...error.problems.map((p) => `  ${p}`)]);
  }
}

/** What protects the API: tokens (or one generated), a certificate (or one generated), allowed hosts, rate limit; a `CliError` naming a bad setting. */
async function protectionOf(flags: UpFlags, ctx: CliContext) {
  // Loaded here, not at the top: every other command starts without the server's dependencies.
  const { localProtection, ProtectionError } = await import('@everynode/server');
  const file = (path: string | undefined) => (path === undefined ? undefined : resolve(ctx.io.cwd, path));
  const fromFlags = flags.tlsCert !== undefined || flags.tlsKey !== undefined;
  try {
    const files = fromFlags ? { cert: file(flags.tlsCert), key: file(flags.tlsKey), names: ['--tls-cert', '--tls-key'] as const } : {};
    return await localProtection(ctx.io.env, files, [flags.address]);
  } catch (error) {
    if (error instanceof ProtectionError) throw new CliError(`error: ${error.message}`);
    throw error;
  }
}

/**
 * The dashboard's address to open: with the generated token in the fragment
 * (`#token=…`: the page keeps it for the tab; a fragment is never sent to a
 * server), else bare — the page then asks for the token.
 */
export function dashboardLink(dashboardUrl: string, token: string | undefined): string {
  return token ? `${dashboardUrl}#token=${encodeURIComponent(token)}` : dashboardUrl;
}

/** How to use what was generated for the run: printed once, as `up` starts. */
function generatedHelp(url: string, saved: Credentials, file: string): string {
  const what = [saved.token ? 'an admin token (user "admin")' : undefined, saved.ca ? 'a self-signed certificate' : undefined].filter((w) => w !== undefined);
  return [
    `Generated for this run: ${what.join(' and ')}. This user's everynode CLI finds ${what.length > 1 ? 'them' : 'it'} in ${file}; elsewhere:`,
    `  export EVERYNODE_SERVER=${url}`,
    ...(saved.token ? [`  export EVERYNODE_TOKEN=${saved.token}`] : []),
    ...(saved.ca ? [`  export EVERYNODE_CA_FILE=${upCertificateFile(file)}`] : []),
    'kubectl, through a kubeconfig that holds them:',
    '  everynode kubeconfig > everynode.kubeconfig && KUBECONFIG=everynode.kubeconfig kubectl get ds -A',
    '',
  ].join('\n');
}

export function registerUp(program: Command, ctx: CliContext): void {
  program
    .command('up')
    .description('Run a local everynode: HTTP API, workers and (with --simulate) simulated nodes')
    .addOption(new Option('--workers <n>', 'worker processes').argParser(integerFlag('--workers')).default(1))
    .option('--simulate', 'run a simulated node agent that executes pod commands')
    .addOption(new Option('--port <port>', 'HTTP port').argParser(integerFlag('--port')).default(7700))
    .option('--address <ip>', 'the address the HTTP API binds (0.0.0.0: every interface; a token is needed either way)', '127.0.0.1')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (default EVERYNODE_TLS_CERT, else a self-signed one made for the run)')
    .option('--tls-key <file>', "the certificate's PEM private key (default EVERYNODE_TLS_KEY)")
    .addOption(
      new Option('--redis <url>', 'Redis URL (default REDIS_URL; else 127.0.0.1:6379 if it answers; else a private redis-server); redis+cluster://h:p,h:p or --redis once per node for a Redis Cluster').argParser(
        (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
      ),
    )
    .option('--prefix <prefix>', 'key and queue prefix (default EVERYNODE_PREFIX or everynode)')
    .option('--bridges <file>', 'also run the bridges this YAML file configures (default EVERYNODE_BRIDGES, the YAML itself, or the file EVERYNODE_BRIDGES_FILE names)')
    .addHelpText(
      'after',
      `
Examples:
  everynode up --simulate
  everynode up --workers 4 --port 7701 --redis redis://10.0.0.5:6379 --prefix staging
  everynode up --redis redis://10.0.0.5:7000 --redis redis://10.0.0.6:7000 --prefix prod-eu
  everynode up --bridges bridges.yaml
  everynode up --address 0.0.0.0 --tls-cert tls.crt --tls-key tls.key

Authentication: a token from EVERYNODE_TOKENS_FILE (token,name,permission a line) or
EVERYNODE_TOKEN; without either, an admin token is generated and printed once. HTTPS
always: without a certificate, a self-signed one is generated for the run.`,
    )
    .action(async (flags: UpFlags) => {
      const bridges = await bridgesOf(flags, ctx);
      const { auth, tls, generatedToken, generatedCertificate } = await protectionOf(flags, ctx);
      const options: UpOptions = {
        workers: flags.workers,
        simulate: flags.simulate === true,
        port: flags.port,
        address: flags.address,
        auth,
        tls,
        ...redisUrlOf(flags.redis, ctx.io.env.REDIS_URL),
        prefix: flags.prefix ?? (ctx.io.env.EVERYNODE_PREFIX || 'everynode'),
        logger: await upLogger(ctx.io.env),
        ...(bridges === undefined ? {} : { bridges }),
      };
      const start = await loadStart(ctx);
      const cluster = await start(options);
      const url = cluster?.url ?? `https://${options.address}:${options.port}`;
      const saved: Credentials = { ...(generatedToken ? { token: generatedToken } : {}), ...(generatedCertificate ? { ca: tls.cert } : {}) };
      // Before the banner: a CLI started the moment `up` says it is up finds them.
      const file = saved.token || saved.ca ? saveUpCredentials(ctx.io.env, url, saved) : undefined;
      const extras = `${options.simulate ? ', simulated nodes' : ''}${bridges?.length ? `, ${bridges.length} bridge${bridges.length === 1 ? '' : 's'}` : ''}`;
      ctx.io.stderr(`everynode is up at ${url} (${options.workers} worker${options.workers === 1 ? '' : 's'}${extras}); Ctrl-C stops it\n`);
      if (cluster?.dashboardUrl) ctx.io.stderr(`The dashboard: ${dashboardLink(cluster.dashboardUrl, saved.token)}\n`);
      if (file !== undefined) ctx.io.stderr(generatedHelp(url, saved, file));
      try {
        await (ctx.io.untilShutdown ?? untilSignal)();
      } finally {
        if (file !== undefined) removeUpCredentials(file, saved);
        await (cluster?.stop ?? cluster?.close)?.call(cluster);
      }
    });
}
