/** Run `everynode` commands against a local cluster, capturing what they print. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { processIO, runCli } from '@everynode/cli';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `everynode …args` in this process (the CLI's own code, its real HTTP client). */
export async function everynode(server: string, ...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io = processIO({
    env: { ...process.env, EVERYNODE_SERVER: server },
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

const bin = fileURLToPath(new URL('../../packages/cli/bin/everynode.mjs', import.meta.url));

/** `everynode …args` as a separate process, through the installed executable. */
export async function everynodeProcess(server: string, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { env: { ...process.env, EVERYNODE_SERVER: server } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The rows of a `get` table, split on runs of spaces. */
export function rows(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s{2,}/));
}
