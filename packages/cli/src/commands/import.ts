/**
 * `everynode import FILE|-`: an export's JSON lines, streamed to
 * `POST /log/import`, into an engine whose log is empty; it rebuilds the
 * projection from them, and `replay --verify` is clean afterwards. A
 * progress bar (bytes sent) on a terminal's stderr.
 */
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { serverOf } from '../context.ts';
import { credentialsOf } from '../credentials.ts';
import { CliError } from '../errors.ts';
import { type Progress, startProgress } from '../progress.ts';
import { fetchOrThrow } from './stream-http.ts';

interface ImportAnswer {
  readonly entries: number;
  readonly lastSeq: number;
  readonly nodes: number;
  readonly pods: number;
  readonly daemonSets: number;
}

/** The file's bytes as they are read, counted into `progress`. */
async function* counted(path: string, progress: Progress): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for await (const chunk of createReadStream(path)) {
    sent += (chunk as Buffer).length;
    progress.update(sent);
    yield chunk as Buffer;
  }
}

export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('Load an exported log (JSON lines) into an engine whose log is empty, and rebuild its state')
    .argument('<file>', 'an `everynode export` file, or - for stdin')
    .addHelpText(
      'after',
      `
Examples:
  everynode import history.jsonl
  everynode --server http://other:7700 import history.jsonl
  gunzip -c history.jsonl.gz | everynode import -`,
    )
    .action(async (file: string, _options: object, command: Command) => {
      let body: string | AsyncIterable<Uint8Array>;
      let progress: Progress = startProgress(ctx.io, 'import', 0, 'bytes');
      if (file === '-') {
        body = await ctx.io.readStdin();
      } else {
        const path = resolve(ctx.io.cwd, file);
        let size: number;
        try {
          size = statSync(path).size;
        } catch {
          throw new CliError(`error: the path "${file}" does not exist`);
        }
        progress = startProgress(ctx.io, 'import', size, 'bytes');
        body = counted(path, progress);
      }
      const init = { method: 'POST', headers: { 'content-type': 'application/x-ndjson', accept: 'application/json' }, body, duplex: 'half' };
      const server = serverOf(command, ctx.io);
      const response = await fetchOrThrow(server, '/log/import', init as RequestInit & { headers: Record<string, string> }, credentialsOf(command, ctx.io.env, server)).finally(() => progress.stop());
      const answer = JSON.parse(await response.text()) as ImportAnswer;
      ctx.io.stdout(
        `imported ${answer.entries} log entries (last seq ${answer.lastSeq}): ${answer.nodes} nodes, ${answer.daemonSets} daemonsets, ${answer.pods} pods\n`,
      );
    });
}
