/**
 * The API process: an engine (API-only unless EVERYNODE_API_WORKERS=true)
 * on REDIS_URL / EVERYNODE_PREFIX, served on HOST:PORT (default
 * 0.0.0.0:7700). Logs are JSON lines on stderr, pretty in a terminal
 * (docs/contract.md §6). SIGINT/SIGTERM stop the server, then the engine.
 * Protected as the environment says (`protectionFromEnv`: tokens, allowed
 * hosts, rate limit, TLS); without tokens it serves loopback only, unless
 * `--insecure` (EVERYNODE_INSECURE=true).
 */
import { exitIfRedisUnreachable, safeLogOptions, startEngine } from '@everynode/engine';
import pino from 'pino';
import * as z from 'zod';
import { buildServer, findDashboard, type Protection, ProtectionError, protectionFromEnv } from '@everynode/server';

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(7700),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.string().default('info'),
  EVERYNODE_API_WORKERS: z.enum(['true', 'false', '']).optional(),
  /** POST /events answers 429 while more event jobs than this wait for a worker (0: never). */
  EVERYNODE_HIGH_WATER_MARK: z.coerce.number().int().min(0).optional(),
});

const env = Env.safeParse(process.env);
if (!env.success) {
  console.error(`everynode api: bad environment: ${z.prettifyError(env.error).replaceAll('\n', '; ')}`);
  process.exit(1);
}
const { PORT, HOST, LOG_LEVEL, EVERYNODE_API_WORKERS, EVERYNODE_HIGH_WATER_MARK } = env.data;

let protection: Protection;
try {
  protection = protectionFromEnv(process.env, { host: HOST, insecure: process.argv.includes('--insecure') });
} catch (error) {
  if (!(error instanceof ProtectionError)) throw error;
  console.error(`everynode api: ${error.message}`);
  process.exit(1);
}

const logger = process.stderr.isTTY
  ? pino({ level: LOG_LEVEL, ...safeLogOptions, transport: { target: 'pino-pretty', options: { destination: 2 } } })
  : pino({ level: LOG_LEVEL, ...safeLogOptions }, pino.destination(2));

for (const warning of protection.warnings) logger.warn(warning);

// A wrong REDIS_URL (password, host, TLS) ends the process with one line; a later outage is retried.
const engine = await startEngine({ logger, register: true, workers: EVERYNODE_API_WORKERS === 'true' }).catch((error: unknown) => exitIfRedisUnreachable('everynode api', error));

let stopping = false;

/** Ready while not stopping and the engine can work (Redis answers within a second). */
const ready = async () => !stopping && (await engine.admin.ready());

const { auth, tls } = protection;
// The dashboard's files are copied beside this program by the build (`dashboard/`).
const dashboard = findDashboard(new URL('.', import.meta.url));
const server = buildServer({ ...engine, ready, logger, auth, ...(dashboard ? { dashboard } : {}), ...(tls ? { tls } : {}), ...(EVERYNODE_HIGH_WATER_MARK === undefined ? {} : { highWaterMark: EVERYNODE_HIGH_WATER_MARK }) });
await server.listen({ port: PORT, host: HOST });
logger.info({ prefix: engine.prefix, workers: EVERYNODE_API_WORKERS === 'true' }, 'api started');

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'api stopping');
  // In-flight requests finish first; then the engine's connections close under nothing.
  await server.close();
  await engine.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
