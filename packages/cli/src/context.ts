/**
 * Everything a command touches outside itself, passed in so that tests run
 * the real commands in-process against a real HTTP peer.
 */
import type { Command } from 'commander';
import type { EverynodeClient } from '@everynode/client';
import { DefaultServer } from '@everynode/client';
import { type Credentials, credentialsOf } from './credentials.ts';

export interface CliIO {
  /** Writes to stdout (text carries its own newlines). */
  readonly stdout: (text: string) => void;
  /** Writes to stderr. */
  readonly stderr: (text: string) => void;
  /** All of stdin, for `-f -`. */
  readonly readStdin: () => Promise<string>;
  /** Environment variables (`EVERYNODE_SERVER`, `EVERYNODE_TOKEN`, `REDIS_URL`, `EVERYNODE_PREFIX`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are read from. */
  readonly cwd: string;
  /** The clock AGE is measured with. */
  readonly now: () => Date;
  /** A client for the engine at `server`, sending `credentials.token` and trusting `credentials.ca`. */
  readonly createClient: (server: string, credentials?: Credentials) => EverynodeClient;
  /** Loads `@everynode/engine` for `up`; tests replace it. Default: a dynamic import. */
  readonly loadEngine?: () => Promise<Record<string, unknown>>;
  /** Resolves when `up` should stop; tests replace it. Default: SIGINT or SIGTERM. */
  readonly untilShutdown?: () => Promise<void>;
  /** Where long operations (export, import) draw a progress bar; drawn only when it is a TTY. Default: none. */
  readonly progressStream?: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Milliseconds between polls of `rollout status`. Default 200; tests shorten it. */
  readonly pollIntervalMs?: number;
  /** How long a wait on the server (`replay --to/--at`) goes before a progress bar appears. Default 1 000 ms; tests shorten it. */
  readonly progressDelayMs?: number;
}

/** What command actions receive. */
export interface CliContext {
  readonly io: CliIO;
  /** The client for the `--server` this invocation names (or the environment's, or the default). */
  client(command: Command): EverynodeClient;
}

/** `--server`, else `EVERYNODE_SERVER`, else `https://127.0.0.1:7700`. */
export function serverOf(command: Command, io: CliIO): string {
  const fromFlag = command.optsWithGlobals<{ server?: string }>().server;
  return fromFlag ?? (io.env.EVERYNODE_SERVER || DefaultServer);
}

/**
 * `-n`/`--namespace`, a global flag as kubectl's is (before or after the
 * verb), else `default`; `explicit` when the user typed it (a manifest's own
 * namespace must then agree).
 */
export function namespaceOf(command: Command): { value: string; explicit: boolean } {
  const value = command.optsWithGlobals<{ namespace?: string }>().namespace;
  return { value: value ?? 'default', explicit: value !== undefined };
}

export function createContext(io: CliIO): CliContext {
  return {
    io,
    client: (command) => {
      const server = serverOf(command, io);
      return io.createClient(server, credentialsOf(command, io.env, server));
    },
  };
}
