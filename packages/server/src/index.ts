/** The HTTP API server: build it around an engine's reader, ingress and verifier. */
export { buildServer } from './server.ts';
export type { MetricsRegistry, ServerDeps } from './deps.ts';
export { defaultHttpTimeouts, type HttpTimeouts, HttpTimeoutVariables, httpTimeouts } from './timeouts.ts';
export type { WatchSettings } from './watch.ts';
export type { Status, StatusCause, StatusDetails } from './status.ts';
export type { KubeEvent } from './controller-events.ts';
export type { ExplainEntry, PodExplanation } from './pod-history.ts';
export { defaultRateLimit } from './auth.ts';
export type { AuthOptions, RateLimit } from './auth.ts';
export { generateToken, parseTokens, Permission, TokensError, tokensFromEnv } from './auth-tokens.ts';
export type { Token } from './auth-tokens.ts';
export { isLoopbackHost, localProtection, ProtectionError, protectionFromEnv } from './auth-env.ts';
export type { LocalProtection, Protection, TlsFiles } from './auth-env.ts';
export { loadTls, selfSignedTls, TlsConfigError } from './tls.ts';
export type { TlsOptions } from './tls.ts';
export { dashboardContentSecurityPolicy, findDashboard } from './dashboard.ts';
export type { DashboardOptions } from './dashboard.ts';
