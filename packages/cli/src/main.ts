/**
 * The `everynode` executable: the real process handed to `runCli`. Run it
 * with `npx everynode …` (bin/everynode.mjs, the built CLI) or
 * `npx tsx packages/cli/src/main.ts …` (the sources).
 */
import { processIO } from './process-io.ts';
import { runCli } from './program.ts';

const code = await runCli(process.argv.slice(2), processIO());
// Done: exit once what was printed is written, rather than when the HTTP
// client's idle keep-alive connection closes (~100 ms later).
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
