/**
 * What `bench/run.ts` hands every figure's module: the run's settings and
 * its helpers, built once there. A module takes the part it uses.
 */
import type { EngineInternals as Engine } from '@everynode/engine/internal';
import type { Logger } from 'pino';

/** Print a figure (and keep it for the JSON summary), with its goal and whether it is met when it has one. */
export type Report = (figure: string, value: string, target?: string, met?: boolean) => void;

export interface BenchContext {
  /** BENCH_SCALE=quick: every size ÷ 10 (CI's smoke run). */
  readonly quick: boolean;
  /** A size at this run's scale. */
  readonly scale: (n: number) => number;
  readonly redisUrl: string;
  readonly logger: Logger;
  readonly report: Report;
  /** An engine on a fresh prefix, its workers in worker processes. */
  readonly engineFor: (name: string) => Promise<Engine>;
  /** A node-joined CloudEvent for the node `name`. */
  readonly nodeEvent: (name: string) => object;
  /** The DaemonSet-applied CloudEvent the figures run under. */
  readonly daemonSet: object;
  readonly submitAll: (engine: Engine, events: readonly object[]) => Promise<void>;
  readonly until: (probe: () => Promise<boolean>, timeoutMs: number, what: string, everyMs?: number) => Promise<void>;
  /** Resolves once the engine has nothing left to do. */
  readonly settled: (engine: Engine) => Promise<void>;
  /** Create commands queued and not yet taken. */
  readonly commandsWaiting: (engine: Engine) => Promise<number>;
  /** Delete every key of a prefix. */
  readonly cleanup: (prefix: string) => Promise<void>;
}

/** The value at quantile `q` (0–1) of ascending `sorted`: the p50/p99 every latency figure prints. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
