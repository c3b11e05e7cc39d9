/** What the HTTP server needs: the engine's ports, and how it is told about readiness and metrics. */
import type { ReadinessCheck } from '@everynode/api';
import type { EnginePorts } from '@everynode/engine';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { HttpTimeouts } from './timeouts.ts';
import type { AuthOptions } from './auth.ts';
import type { DashboardOptions } from './dashboard.ts';
import type { TlsOptions } from './tls.ts';
import type { Watches, WatchSettings } from './watch.ts';

/** A metrics registry (prom-client's `Registry` is one). */
export interface MetricsRegistry {
  /** The exposition's content type (`text/plain; version=0.0.4; charset=utf-8`). */
  readonly contentType: string;
  /** The Prometheus text exposition. */
  metrics(): Promise<string>;
}

/**
 * The engine's ports (`reader` for the resources, `ingress` for every write,
 * `history` for the log and the past, `admin` for export, import and
 * readiness): a running engine is one.
 */
export interface ServerDeps extends EnginePorts {
  /** Served on `GET /metrics`; without it the path is a 404. */
  readonly metrics?: { readonly registry: MetricsRegistry };
  /** `GET /readyz`'s `engine` check: ready when this resolves true. Default: `admin.ready()`. */
  readonly ready?: () => Promise<boolean>;
  /** More checks `/readyz` makes after `engine` (one per bridge, say); a failing one is named in its 503. */
  readonly checks?: () => readonly ReadinessCheck[];
  /** Request logging. Default `false` (silent), so an embedding process chooses. */
  readonly logger?: Logger | false;
  /**
   * Back-pressure: while more than this many event jobs wait for a worker,
   * `POST /events` answers 429 with `Retry-After` (until the backlog is down
   * to half). Default 10,000 (`defaultHighWaterMark`); 0: never.
   */
  readonly highWaterMark?: number;
  /** Largest request body in bytes. Default 16 MiB, room for a large batch of events. */
  readonly bodyLimit?: number;
  /** How long to wait on clients; each one not given comes from its `EVERYNODE_HTTP_*_TIMEOUT_MS` variable, else its default (`timeouts.ts`). */
  readonly timeouts?: Partial<HttpTimeouts>;
  /**
   * Tokens, allowed hosts, rate limit (`auth.ts`). Default: no
   * authentication (every request may do everything), the Host and Origin
   * checks only.
   */
  readonly auth?: AuthOptions;
  /** Serve HTTPS with this certificate and key. Default: plain HTTP. */
  readonly tls?: TlsOptions;
  /** How watches (`?watch=true`) bookmark and coalesce; see `WatchSettings` for the defaults. */
  readonly watch?: WatchSettings;
  /** Serve the web dashboard's built files at `/` (`findDashboard()` finds them). Default: no dashboard. */
  readonly dashboard?: DashboardOptions;
  /** The engine's BullMQ queues (an engine's `bullQueues`): with `dashboard`, bull-board shows them at `/queues`. Default: none. */
  readonly bullQueues?: readonly Queue[];
}

/** What the routes are given: the deps, and the server's watches. */
export interface RouteDeps extends ServerDeps {
  readonly watches: Watches;
}
