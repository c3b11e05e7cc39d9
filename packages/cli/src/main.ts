/**
 * The `everynode` executable: real stdin/stdout/stderr, the environment and
 * the HTTP client, handed to `runCli`. Run it with `npx tsx
 * packages/cli/src/main.ts …` or through `bin/everynode.mjs`.
 */
import { EverynodeClient } from '@everynode/client';
import type { CliIO } from './context.ts';
import { runCli } from './program.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const io: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin,
  env: process.env,
  cwd: process.cwd(),
  now: () => new Date(),
  createClient: (server) => new EverynodeClient({ server }),
};

process.exitCode = await runCli(process.argv.slice(2), io);
