/**
 * What the CLI authenticates with, and trusts: a bearer token and a CA
 * certificate, from `--token` / `--certificate-authority`, else
 * `EVERYNODE_TOKEN` / `EVERYNODE_CA_FILE`, else what `everynode up` left for
 * the server it runs (`up`'s credentials file): so the CLI in the shell that
 * ran `up`, or any other of the same user, reaches it with no setup.
 *
 * `up`'s credentials file is `$XDG_CONFIG_HOME/everynode/up/HOST_PORT.json`
 * (`~/.config/…` by default), readable by its owner only, with its
 * certificate beside it (`HOST_PORT.crt`, for `EVERYNODE_CA_FILE`): written
 * when `up` generates a token or a certificate, removed when it stops.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import { CliError } from './errors.ts';

/** A token to send and a CA to trust; either may be absent. */
export interface Credentials {
  readonly token?: string;
  /** PEM. */
  readonly ca?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const SavedSchema = z.object({ server: z.string(), token: z.string().min(1).optional(), ca: z.string().optional() });

/** The directory `up` leaves its token files in. */
export function upTokenDir(env: Env): string {
  const config = env.XDG_CONFIG_HOME?.trim() || join(env.HOME?.trim() || homedir(), '.config');
  return join(config, 'everynode', 'up');
}

/** `up`'s credentials file for `server` (`https://127.0.0.1:7700` → `…/127.0.0.1_7700.json`); a wildcard address is 127.0.0.1's. */
export function upTokenFile(env: Env, server: string): string {
  const url = new URL(server);
  const host = ['0.0.0.0', '[::]'].includes(url.hostname) ? '127.0.0.1' : url.hostname.replace(/[[\]]/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return join(upTokenDir(env), `${host.replace(/[^\w.-]/g, '_')}_${port}.json`);
}

/** The certificate file beside `up`'s credentials file. */
export function upCertificateFile(file: string): string {
  return file.replace(/\.json$/, '.crt');
}

/** Leave `credentials` for the CLI to find for `server`, readable by this user only (and the CA beside it); the credentials file's path. */
export function saveUpCredentials(env: Env, server: string, credentials: Credentials): string {
  const file = upTokenFile(env, server);
  mkdirSync(upTokenDir(env), { recursive: true, mode: 0o700 });
  const write = (path: string, text: string) => {
    writeFileSync(path, text, { mode: 0o600 });
    chmodSync(path, 0o600); // a file that was already there keeps its mode otherwise
  };
  write(file, `${JSON.stringify({ server, ...credentials })}\n`);
  if (credentials.ca) write(upCertificateFile(file), credentials.ca);
  return file;
}

/** Remove `up`'s credentials file (and certificate), if it still holds `credentials` (another `up` may have taken the port since). */
export function removeUpCredentials(file: string, credentials: Credentials): void {
  const saved = readSaved(file);
  if (saved?.token !== credentials.token || saved?.ca !== credentials.ca) return;
  rmSync(file, { force: true });
  rmSync(upCertificateFile(file), { force: true });
}

function readSaved(file: string): z.infer<typeof SavedSchema> | undefined {
  try {
    const parsed = SavedSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function readCa(file: string, where: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`error: ${where}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The credentials for `server`: flags, else the environment, else `up`'s token file for it. */
export function credentialsOf(command: Command, env: Env, server: string): Credentials {
  const flags = command.optsWithGlobals<{ token?: string; certificateAuthority?: string }>();
  const saved = (() => {
    try {
      return readSaved(upTokenFile(env, server));
    } catch {
      return undefined; // not a URL: the command says so itself
    }
  })();
  const token = flags.token ?? (env.EVERYNODE_TOKEN?.trim() || saved?.token);
  let ca: string | undefined;
  if (flags.certificateAuthority) ca = readCa(flags.certificateAuthority, '--certificate-authority');
  else if (env.EVERYNODE_CA_FILE?.trim()) ca = readCa(env.EVERYNODE_CA_FILE.trim(), 'EVERYNODE_CA_FILE');
  else ca = saved?.ca;
  return { ...(token ? { token } : {}), ...(ca ? { ca } : {}) };
}
