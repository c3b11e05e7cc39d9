/**
 * `everynode up`: run a local cluster — HTTP API, workers, with
 * `--simulate` a simulated node agent, and with `--bridges FILE` (or
 * `EVERYNODE_BRIDGES` / `EVERYNODE_BRIDGES_FILE`) the bridges that file
 * configures — until interrupted. A bad bridge configuration stops it
 * before anything starts, naming each field at fault. This file only
 * wires flags to `startLocalCluster` (../local-cluster.ts), loaded only when
 * `up` runs so that every other command starts without the engine.
 */
import { resolve } from 'node:path';
import { type Bridge, ConfigError, loadBridges } from '@everynode/bridges/config';
// The light entry: redaction without loading the engine.
import { safeLogOptions } from '@everynode/engine/redact';
import { Option } from 'commander';
import type { Command } from 'commander';
import pino, { type Logger } from 'pino';
import type { CliContext } from '../context.ts';
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
  stop?: () => Promise<void> | void;
  close?: () => Promise<void> | void;
}

type StartLocalCluster = (options: UpOptions) => Promise<RunningCluster | undefined>;

/** The local cluster, loaded only when `up` runs: every other command must work without the engine's runtime. */
async function importCluster(): Promise<Record<string, unknown>> {
  return (await import('../local-cluster.ts')) as Record<string, unknown>;
}

/** pino on stderr: JSON lines, or pretty when a person is watching (CONTRACT §6); URL passwords redacted. */
function upLogger(env: Readonly<Record<string, string | undefined>>): Logger {
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
  redis?: string;
  prefix?: string;
  bridges?: string;
}

/** The bridges `--bridges`, else the environment, configures; a `CliError` naming each problem. */
function bridgesOf(flags: UpFlags, ctx: CliContext): Bridge[] | undefined {
  try {
    return loadBridges(flags.bridges === undefined ? undefined : resolve(ctx.io.cwd, flags.bridges), { env: ctx.io.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const where = flags.bridges ?? (ctx.io.env.EVERYNODE_BRIDGES?.trim() ? 'EVERYNODE_BRIDGES' : ctx.io.env.EVERYNODE_BRIDGES_FILE);
    throw new CliError([`error: bad bridge configuration (${where}):`, ...error.problems.map((p) => `  ${p}`)]);
  }
}

export function registerUp(program: Command, ctx: CliContext): void {
  program
    .command('up')
    .description('Run a local everynode: HTTP API, workers and (with --simulate) simulated nodes')
    .addOption(new Option('--workers <n>', 'worker processes').argParser(integerFlag('--workers')).default(1))
    .option('--simulate', 'run a simulated node agent that executes pod commands')
    .addOption(new Option('--port <port>', 'HTTP port').argParser(integerFlag('--port')).default(7700))
    .option('--redis <url>', 'Redis URL (default REDIS_URL; else 127.0.0.1:6379 if it answers; else a private redis-server)')
    .option('--prefix <prefix>', 'key and queue prefix (default EVERYNODE_PREFIX or everynode)')
    .option('--bridges <file>', 'also run the bridges this YAML file configures (default EVERYNODE_BRIDGES, the YAML itself, or the file EVERYNODE_BRIDGES_FILE names)')
    .addHelpText(
      'after',
      `
Examples:
  everynode up --simulate
  everynode up --workers 4 --port 7701 --redis redis://10.0.0.5:6379 --prefix staging
  everynode up --bridges bridges.yaml`,
    )
    .action(async (flags: UpFlags) => {
      const bridges = bridgesOf(flags, ctx);
      const options: UpOptions = {
        workers: flags.workers,
        simulate: flags.simulate === true,
        port: flags.port,
        ...((flags.redis ?? ctx.io.env.REDIS_URL) ? { redisUrl: flags.redis ?? ctx.io.env.REDIS_URL } : {}),
        prefix: flags.prefix ?? (ctx.io.env.EVERYNODE_PREFIX || 'everynode'),
        logger: upLogger(ctx.io.env),
        ...(bridges === undefined ? {} : { bridges }),
      };
      const start = await loadStart(ctx);
      const cluster = await start(options);
      const url = cluster?.url ?? `http://127.0.0.1:${options.port}`;
      const extras = `${options.simulate ? ', simulated nodes' : ''}${bridges?.length ? `, ${bridges.length} bridge${bridges.length === 1 ? '' : 's'}` : ''}`;
      ctx.io.stderr(`everynode is up at ${url} (${options.workers} worker${options.workers === 1 ? '' : 's'}${extras}); Ctrl-C stops it\n`);
      await (ctx.io.untilShutdown ?? untilSignal)();
      await (cluster?.stop ?? cluster?.close)?.call(cluster);
    });
}
