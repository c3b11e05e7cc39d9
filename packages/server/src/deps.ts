/** What the HTTP server needs from the engine, and how it is told about readiness and metrics. */
import type { ClusterReader, EventIngress, Verifier } from '@everynode/engine';
import type { EventStore } from '@everynode/eventlog';
import type { Logger } from 'pino';

/** A metrics registry (prom-client's `Registry` is one). */
export interface MetricsRegistry {
  /** The exposition's content type (`text/plain; version=0.0.4; charset=utf-8`). */
  readonly contentType: string;
  /** The Prometheus text exposition. */
  metrics(): Promise<string>;
}

export interface ServerDeps {
  /** Reads the projection and the log. */
  readonly reader: ClusterReader;
  /** Takes events in (POST /events, and every write through a resource path). */
  readonly ingress: EventIngress;
  /** Backs `GET /state/verify`. */
  readonly verifier: Verifier;
  /** Backs `GET /log/export` and `POST /log/import`; without it those paths are a 404. */
  readonly store?: EventStore;
  /** Served on `GET /metrics`; without it the path is a 404. */
  readonly metrics?: { readonly registry: MetricsRegistry };
  /** `GET /readyz` answers 200 when this resolves true, else 503. Default: always ready. */
  readonly ready?: () => Promise<boolean>;
  /** Request logging. Default `false` (silent), so an embedding process chooses. */
  readonly logger?: Logger | false;
  /** Largest request body in bytes. Default 16 MiB, room for a large batch of events. */
  readonly bodyLimit?: number;
}
