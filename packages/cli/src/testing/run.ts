/** Run `everynode …` in-process against a server, capturing stdout, stderr and the exit status. */
import { EverynodeClient } from '@everynode/client';
import type { CliIO } from '../context.ts';
import { runCli } from '../program.ts';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The fixed clock CLI tests measure AGE with. */
export const testNow = new Date('2026-11-28T12:00:00Z');

export async function runEverynode(args: readonly string[], options: Partial<CliIO> & { stdin?: string } = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readStdin: async () => options.stdin ?? '',
    env: {},
    cwd: process.cwd(),
    now: () => testNow,
    createClient: (server, credentials = {}) => new EverynodeClient({ server, timeoutMs: 5_000, ...credentials }),
    ...options,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}
