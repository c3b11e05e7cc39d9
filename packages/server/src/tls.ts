/**
 * HTTPS: the server's certificate and key (PEM), from files
 * (`EVERYNODE_TLS_CERT`, `EVERYNODE_TLS_KEY`, `up --tls-cert/--tls-key`).
 * Bearer tokens travel in every request, so anything but loopback wants it.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { generate } from 'selfsigned';

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

/** The names a local server's certificate is always for: the loopback ones. */
export const loopbackNames = ['localhost', '127.0.0.1', '::1'] as const;

/**
 * A fresh self-signed certificate (ECDSA P-256, valid a year) for
 * `localhost`, 127.0.0.1, ::1 and `names` (host names or addresses): what
 * kube-apiserver does for itself when given no certificate. The key exists
 * only in memory; the certificate is also the CA a client trusts.
 */
export async function selfSignedTls(names: readonly string[] = []): Promise<TlsOptions> {
  const all = [...new Set([...loopbackNames, ...names.map((n) => n.trim().toLowerCase()).filter((n) => n !== '' && n !== '0.0.0.0' && n !== '::')])];
  const notBeforeDate = new Date(Date.now() - 60_000); // a minute of slack for a clock a little behind
  const notAfterDate = new Date(notBeforeDate.getTime() + 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'everynode' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: all.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })) },
    ],
  });
  return { cert: pems.cert, key: pems.private };
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
