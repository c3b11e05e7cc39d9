/**
 * The `everynode` executable: the real process handed to `runCli`. Run it
 * with `npx everynode …` (bin/everynode.mjs) or `npx tsx packages/cli/src/main.ts …`.
 */
import { processIO } from './process-io.ts';
import { runCli } from './program.ts';

process.exitCode = await runCli(process.argv.slice(2), processIO());
