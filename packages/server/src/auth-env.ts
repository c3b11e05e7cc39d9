/**
 * The API's protection as a process's environment configures it
 * (`services/api`): tokens (`EVERYNODE_TOKENS_FILE`, `EVERYNODE_TOKEN`),
 * allowed hosts (`EVERYNODE_ALLOWED_HOSTS`), the rate limit
 * (`EVERYNODE_RATE_LIMIT`), TLS (`EVERYNODE_TLS_CERT`, `EVERYNODE_TLS_KEY`) —
 * and the one rule that keeps a careless start safe: no tokens, no serving
 * beyond loopback, unless the operator says `--insecure`
 * (`EVERYNODE_INSECURE=true`).
 */
import { defaultRateLimit, type AuthOptions, type RateLimit } from './auth.ts';
import { isLoopbackName } from './auth-hosts.ts';
import { generateToken, Permission, singleTokenName, TokensError, tokensFromEnv } from './auth-tokens.ts';
import { loadTls, selfSignedTls, TlsConfigError, type TlsOptions } from './tls.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** What the environment asks for: the server's `auth` and `tls`, and what to warn about. */
export interface Protection {
  readonly auth: AuthOptions;
  readonly tls?: TlsOptions;
  /** Said once at start (serving without authentication). */
  readonly warnings: readonly string[];
}

/** A configuration the API must not start with; the message is the one line to print. */
export class ProtectionError extends Error {
  override readonly name = 'ProtectionError';
}

/** `EVERYNODE_ALLOWED_HOSTS`: comma-separated names or addresses. */
export function allowedHostsOf(env: Env): string[] {
  return (env.EVERYNODE_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
}

/** `EVERYNODE_RATE_LIMIT`: requests per minute per client; 0: none; unset: `defaultRateLimit`. */
export function rateLimitOf(env: Env): RateLimit | false {
  const text = env.EVERYNODE_RATE_LIMIT?.trim();
  if (!text) return defaultRateLimit;
  if (!/^\d+$/.test(text)) throw new ProtectionError(`EVERYNODE_RATE_LIMIT: must be a whole number of requests per minute (0: no limit), not ${JSON.stringify(text)}`);
  const max = Number(text);
  return max === 0 ? false : { max, windowMs: 60_000 };
}

/** Where the certificate and key are, and what they are called there (for messages): the environment's by default. */
export interface TlsFiles {
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly names?: readonly [string, string];
}

/** The tokens and TLS `env` (and `files`) configure; a `ProtectionError` naming the problem. */
function tokensAndTls(env: Env, files: TlsFiles = {}): { tokens: ReturnType<typeof tokensFromEnv>; tls: TlsOptions | undefined } {
  try {
    const cert = files.cert ?? env.EVERYNODE_TLS_CERT?.trim();
    const key = files.key ?? env.EVERYNODE_TLS_KEY?.trim();
    return { tokens: tokensFromEnv(env), tls: loadTls(cert, key, files.names) };
  } catch (error) {
    if (error instanceof TokensError || error instanceof TlsConfigError) throw new ProtectionError(error.message);
    throw error;
  }
}

/** Whether `host` (what the server binds) is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  return isLoopbackName(host.trim().toLowerCase().replace(/^\[|\]$/g, ''));
}

/**
 * The protection `env` configures for a server bound to `host`. Throws a
 * `ProtectionError` with one line to print when a setting is invalid, or
 * when there are no tokens and `host` is not loopback and `insecure`
 * (`--insecure`, or `EVERYNODE_INSECURE=true`) is not set.
 */
export function protectionFromEnv(env: Env, options: { readonly host: string; readonly insecure?: boolean }): Protection {
  const { tokens, tls } = tokensAndTls(env);
  const allowedHosts = allowedHostsOf(env);
  const withTls = tls ? { tls } : {};
  if (tokens.length > 0) return { auth: { tokens, allowedHosts, rateLimit: rateLimitOf(env) }, ...withTls, warnings: [] };

  const insecure = options.insecure === true || env.EVERYNODE_INSECURE?.trim() === 'true';
  if (!insecure && !isLoopbackHost(options.host)) {
    throw new ProtectionError(
      `refusing to serve without authentication on ${options.host}: set EVERYNODE_TOKEN or EVERYNODE_TOKENS_FILE, or bind HOST=127.0.0.1, or pass --insecure (EVERYNODE_INSECURE=true) to serve anyone who can reach it`,
    );
  }
  const where = isLoopbackHost(options.host) ? `loopback (${options.host})` : `${options.host}, as --insecure asks`;
  return { auth: { allowedHosts }, ...withTls, warnings: [`no tokens configured (EVERYNODE_TOKEN, EVERYNODE_TOKENS_FILE): serving without authentication on ${where}`] };
}

/** A local cluster's protection, and what of it was made up for the run. */
export interface LocalProtection extends Protection {
  readonly tls: TlsOptions;
  /** The admin token generated because none was configured. */
  readonly generatedToken?: string;
  /** Whether the certificate was generated (self-signed) because none was configured. */
  readonly generatedCertificate: boolean;
}

/**
 * A local cluster's protection (`everynode up`, `npm start`): as the
 * environment configures it, but never without a token or TLS — kubectl
 * sends a token only over HTTPS. Where no token is configured, one admin
 * token is generated; where no certificate is, a self-signed one for the
 * loopback names and `names` (the bound address, allowed hosts), as
 * kube-apiserver makes for itself. `files` are the certificate and key
 * flags, when given.
 */
export async function localProtection(env: Env, files: TlsFiles = {}, names: readonly string[] = []): Promise<LocalProtection> {
  const { tokens, tls } = tokensAndTls(env, files);
  const allowedHosts = allowedHostsOf(env);
  const generatedToken = tokens.length === 0 ? generateToken() : undefined;
  const all = generatedToken ? [{ token: generatedToken, name: singleTokenName, permission: Permission.Admin }] : tokens;
  return {
    auth: { tokens: all, allowedHosts, rateLimit: rateLimitOf(env) },
    tls: tls ?? (await selfSignedTls([...names, ...allowedHosts])),
    generatedCertificate: tls === undefined,
    warnings: [],
    ...(generatedToken ? { generatedToken } : {}),
  };
}
