/**
 * HTTPS: the server's certificate and key (PEM), from files
 * (`EVERYNODE_TLS_CERT`, `EVERYNODE_TLS_KEY`, `up --tls-cert/--tls-key`).
 * Bearer tokens travel in every request, so anything but loopback wants it.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';

/** A certificate (chain) and its private key, PEM. */
export interface TlsOptions {
  readonly cert: string;
  readonly key: string;
}

/** The certificate and key files a configuration names could not be used: the text says which and why. */
export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new TlsConfigError(`${what}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * The certificate and key the files `cert` and `key` hold; undefined when
 * neither is given, a `TlsConfigError` when only one is (`names` says what
 * the two are called where they were given, for the message).
 */
export function loadTls(cert: string | undefined, key: string | undefined, names: readonly [string, string] = ['EVERYNODE_TLS_CERT', 'EVERYNODE_TLS_KEY']): TlsOptions | undefined {
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new TlsConfigError(`${names[0]} and ${names[1]} go together: ${cert ? names[1] : names[0]} is missing`);
  return { cert: readPem(cert, names[0]), key: readPem(key, names[1]) };
}

/**
 * fastify's options with `https` when `tls` is given. The instance's type
 * stays the plain HTTP one: routes and hooks see the same requests either way.
 */
export function withTls<T extends object>(options: T, tls: TlsOptions | undefined): T {
  return tls ? { ...options, https: { cert: tls.cert, key: tls.key } } : options;
}

/** Paths in a log line that may hold a credential: never written, whatever a serializer puts in. */
const credentialPaths = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie', 'request.headers.authorization'];

/** `logger`, with the Authorization and Cookie headers redacted wherever a serializer writes them. */
export function withoutCredentials(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: credentialPaths, censor: '[redacted]' } });
}
