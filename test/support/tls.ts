/**
 * Test support for the API's edges: a self-signed certificate made here
 * with openssl (for `localhost` and 127.0.0.1, valid a day), and raw HTTP(S)
 * requests whose every header — Host included — the test sets itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { checkServerIdentity } from 'node:tls';
import { join } from 'node:path';

export interface SelfSigned {
  /** Its directory. */
  readonly dir: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate, PEM: also the CA a client trusts. */
  readonly cert: string;
  readonly key: string;
  remove(): void;
}

/** A fresh self-signed certificate and key for `localhost` and 127.0.0.1. */
export function selfSigned(): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), 'everynode-tls-'));
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  return { dir, certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The body as JSON, undefined when it is not. */
  readonly json: unknown;
}

/** One request to `url` with exactly `headers` (a `host` among them replaces the URL's); `ca` trusts a certificate for https. */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; ca?: string } = {}): Promise<RawAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        ...(options.ca ? { ca: options.ca } : {}),
        // The certificate is checked against the URL's host, not a Host header the test sets.
        checkServerIdentity: (_host: string, cert) => checkServerIdentity(target.hostname, cert),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
