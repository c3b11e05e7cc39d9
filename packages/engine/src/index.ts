/**
 * The engine: BullMQ queues and workers around the event store and the pure
 * core. It owns the operations — accepting events, running passes,
 * publishing commands — and offers its ports (`reader`, `ingress`,
 * `history`, `admin`) to everything around it. What only the engine's own
 * tests and benchmarks use is in `@everynode/engine/internal`.
 */
import { startEngine as start, type Engine, type EngineOptions } from './engine.ts';

export type { Engine, EngineOptions } from './engine.ts';
export type { DeadLetterLimits } from './dead-letters.ts';
/** Start an engine: connect, and (unless `workers: false`) run its workers in this process. */
export const startEngine: (options?: EngineOptions) => Promise<Engine> = start;
export type { Admin, ClusterReader, DeadLetters, EnginePorts, EventIngress, History, ImportResult, LogClause, LogEntry, LogSelector, MessageOrigin, ObjectKinds, Refusal, ReplayedState, SubmitOptions, SubmitResult, VerifyResult, VersionedObjects } from './ports.ts';
export { engineTuningFromEnv, runWorkerProcess, workerProcessArgs } from './worker-process.ts';
export { QueueName, queuePrefix, jobIdFor } from './queues.ts';
export { prefixesFromEnv, startPrefixPool, type PrefixPool, type PrefixPoolOptions } from './prefix-pool.ts';
export { RegistryKey, registeredPrefixes, registerPrefix, registryKeyFromEnv, unregisterPrefix } from './prefix-registry.ts';
export { defaultHighWaterMark, HighWaterGauge, type HighWaterOptions } from './high-water.ts';
export {
  DEFAULT_REDIS_URL,
  findOrStartRedis,
  redisConnectionOptions,
  RedisServerNotFoundError,
  spawnRedisServer,
  type FindOrStartRedisOptions,
  type RedisHandle,
  type SpawnedRedisServer,
  type SpawnRedisServerOptions,
} from './redis-connect.ts';
export { openRedis, clusterOptions, type OpenRedisOptions, type RedisClient } from './redis-client.ts';
export { clusterTarget, isClusterUrl, joinRedisUrls, type ClusterNodeAddress, type ClusterTarget } from './redis-target.ts';
export { checkRedis, exitIfRedisUnreachable, RedisUnreachableError, type CheckRedisOptions } from './redis-check.ts';
export { ConnectionTrouble, type ConnectionTroubleOptions, type TroubleLogger } from './connection-trouble.ts';
export { redactUrl, redactUrlsIn, safeLogOptions } from './redact.ts';
export { causesOf, ImportRefused, LogFormatError, PassType, type EventEntry, type PassEntry } from '@everynode/eventlog';
