/**
 * `everynode dlq list | show ID | replay ID… | drop ID…`: the dead-letter
 * queue — refused events and messages parked by a bridge — to inspect,
 * resubmit once fixed upstream (or once the engine accepts them), or drop.
 */
import { ageOf, type DeadLetter } from '@everynode/api';
import { ApiError } from '@everynode/client';
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { toJson, toYaml } from '../print/objects.ts';
import { renderTable } from '../print/table.ts';
import { integerFlag } from './log.ts';

/** Where a dead letter came from: `bus:subject@offset`, or `-` for the HTTP API and the queue. */
function originOf(letter: DeadLetter): string {
  const { origin } = letter;
  if (!origin) return '-';
  return `${origin.bus}:${origin.subject}${origin.offset === undefined ? '' : `@${origin.offset}`}`;
}

/** The reason's first line, cut to a terminal's width. */
const brief = (reason: string) => (reason.length > 80 ? `${reason.slice(0, 77)}...` : reason);

/** A 404 as kubectl words a missing object. */
async function orNotFound<T>(id: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw new CliError(`Error from server (NotFound): dead letter "${id}" not found`);
    throw error;
  }
}

export function registerDlq(program: Command, ctx: CliContext): void {
  const dlq = program.command('dlq').description('Inspect, resubmit or drop refused events and parked messages (the dead-letter queue)');

  dlq
    .command('list')
    .description('List dead letters, oldest first')
    .addOption(new Option('--offset <n>', 'skip this many').argParser(integerFlag('--offset')))
    .addOption(new Option('--limit <n>', 'at most this many (server default 100)').argParser(integerFlag('--limit')))
    .addOption(new Option('-o, --output <format>', 'json').choices(['json']))
    .action(async (options: { offset?: number; limit?: number; output?: string }, command: Command) => {
      const page = await ctx.client(command).listDeadLetters({ offset: options.offset, limit: options.limit });
      if (options.output === 'json') {
        ctx.io.stdout(toJson(page));
        return;
      }
      if (page.items.length === 0) {
        ctx.io.stderr('No dead letters.\n');
        return;
      }
      const now = ctx.io.now();
      const rows = page.items.map((l) => [l.id, l.kind, ageOf(l.at, now), originOf(l), brief(l.reason)]);
      ctx.io.stdout(renderTable(['ID', 'KIND', 'AGE', 'ORIGIN', 'REASON'], rows));
      const shown = (options.offset ?? 0) + page.items.length;
      if (shown < page.total) ctx.io.stderr(`(${page.total - shown} more: --offset ${shown})\n`);
    });

  dlq
    .command('show')
    .description('Show one dead letter: the message as it came, why, and where from')
    .argument('<id>')
    .addOption(new Option('-o, --output <format>', 'yaml or json').choices(['yaml', 'json']).default('yaml'))
    .action(async (id: string, options: { output: string }, command: Command) => {
      const letter = await orNotFound(id, () => ctx.client(command).getDeadLetter(id));
      ctx.io.stdout(options.output === 'json' ? toJson(letter) : toYaml(letter));
    });

  dlq
    .command('replay')
    .description('Submit dead letters again and drop them (one still refused is parked again, under a new id)')
    .argument('<id...>')
    .action(async (ids: string[], _options: object, command: Command) => {
      let refused = 0;
      for (const id of ids) {
        const result = await orNotFound(id, () => ctx.client(command).replayDeadLetter(id));
        for (const a of result.accepted) ctx.io.stdout(`deadletter/${id} replayed: event ${a.source}/${a.id} accepted\n`);
        for (const r of result.refused) ctx.io.stdout(`deadletter/${id} replayed: refused again (${brief(r.reason)})\n`);
        refused += result.refused.length;
      }
      if (refused > 0) throw new CliError(`error: ${refused} of ${ids.length} dead letter(s) were refused again: see everynode dlq list`);
    });

  dlq
    .command('drop')
    .description('Delete dead letters')
    .argument('<id...>')
    .action(async (ids: string[], _options: object, command: Command) => {
      for (const id of ids) {
        await orNotFound(id, () => ctx.client(command).dropDeadLetter(id));
        ctx.io.stdout(`deadletter/${id} dropped\n`);
      }
    });
}
