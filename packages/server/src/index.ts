/** The HTTP API server: build it around an engine's reader, ingress and verifier. */
export { buildServer } from './server.ts';
export type { MetricsRegistry, ServerDeps } from './deps.ts';
export { defaultHttpTimeouts, type HttpTimeouts, HttpTimeoutVariables, httpTimeouts } from './timeouts.ts';
export type { WatchSettings } from './watch.ts';
export type { Status, StatusCause, StatusDetails } from './status.ts';
export type { KubeEvent } from './controller-events.ts';
export type { ExplainEntry, PodExplanation } from './pod-history.ts';
