/**
 * `everynode export > history.jsonl`: the whole log as JSON lines, streamed
 * from `GET /log/export` to stdout, with a progress bar on a terminal's
 * stderr. `everynode import` reads the result back.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { serverOf } from '../context.ts';
import { credentialsOf } from '../credentials.ts';
import { startProgress } from '../progress.ts';
import { fetchOrThrow } from './stream-http.ts';

/** The seq of the last complete line of `text` (`{"seq":N,…}`), or undefined. */
function lastSeqIn(text: string): number | undefined {
  const start = text.lastIndexOf('\n{"seq":', text.length - 2);
  const match = /^\{"seq":(\d+)/.exec(text.slice(start + 1));
  return match ? Number(match[1]) : undefined;
}

export function registerExport(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('Write the whole event log to stdout as JSON lines (archival, migration)')
    .addHelpText(
      'after',
      `
Examples:
  everynode export > history.jsonl
  everynode export | gzip > history.jsonl.gz`,
    )
    .action(async (_options: object, command: Command) => {
      const server = serverOf(command, ctx.io);
      const response = await fetchOrThrow(server, '/log/export', { headers: { accept: 'application/x-ndjson' } }, credentialsOf(command, ctx.io.env, server));
      const lastSeq = Number(response.headers.get('x-everynode-last-seq') ?? 0);
      const progress = startProgress(ctx.io, 'export', lastSeq, 'entries');
      const decoder = new TextDecoder();
      let exported = 0;
      let tail = '';
      for await (const chunk of response.body ?? []) {
        const text = decoder.decode(chunk as Uint8Array, { stream: true });
        ctx.io.stdout(text);
        tail = (tail + text).slice(-65_536);
        exported = lastSeqIn(tail) ?? exported;
        progress.update(exported);
      }
      ctx.io.stdout(decoder.decode());
      progress.stop();
    });
}
