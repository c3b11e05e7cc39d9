/** The real process's stdin, stdout, stderr, environment and HTTP client, as `runCli` takes them. */
import { EverynodeClient } from '@everynode/client';
import type { CliIO } from './context.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function processIO(overrides: Partial<CliIO> = {}): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    createClient: (server, credentials = {}) => new EverynodeClient({ server, ...credentials }),
    progressStream: process.stderr,
    ...overrides,
  };
}

/**
 * Resolves on SIGINT or SIGTERM: how a long-running command (`up`,
 * `get --watch`) learns that it should stop, when its IO names no other way.
 * `done` takes the listeners back (the command ended by itself), so that a
 * later Ctrl-C ends the process as usual.
 */
export function untilSignal(done?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    done?.addEventListener('abort', stop, { once: true });
  });
}
