/**
 * `everynode emit -f EVENTS.jsonl|-`: raw CloudEvents, one JSON object per
 * line, posted in batch mode. The engine validates; this reports, per line,
 * what it refused, and exits 1 if it refused anything.
 */
import type { Command } from 'commander';
import type { Refusal } from '@everynode/client';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { readSource } from '../manifests.ts';

/** Events per `POST /events`. */
export const BatchSize = 500;

/** One non-blank line: its number (1-based) and the event, or why it is not one. */
export type EventLine = { readonly line: number; readonly event: unknown } | { readonly line: number; readonly error: string };

/** The non-blank lines of a JSONL text, each parsed. */
export function readEventLines(text: string): EventLine[] {
  return text.split(/\r?\n/).flatMap((raw, i): EventLine[] => {
    if (raw.trim() === '') return [];
    try {
      return [{ line: i + 1, event: JSON.parse(raw) as unknown }];
    } catch (error) {
      return [{ line: i + 1, error: `not JSON: ${(error as Error).message}` }];
    }
  });
}

/** A refusal as the user reads it: the line it came from, the event's id when known, the reason. */
export function refusalLine(line: number, refusal: Pick<Refusal, 'id' | 'reason'>): string {
  const id = refusal.id === undefined ? '' : ` (id ${JSON.stringify(refusal.id)})`;
  return `line ${line}${id}: ${refusal.reason.replace(/\s*\n\s*/g, '; ')}`;
}

export function registerEmit(program: Command, ctx: CliContext): void {
  program
    .command('emit')
    .description('Send raw CloudEvents, one JSON object per line')
    .requiredOption('-f, --filename <path>', 'a JSONL file, or - for stdin')
    .addHelpText(
      'after',
      `
Example:
  everynode emit -f events.jsonl
  echo '{"specversion":"1.0","id":"n1","source":"me","type":"io.everynode.node.removed","time":"2026-01-01T00:00:00Z","data":{"metadata":{"name":"worker03"}}}' | everynode emit -f -`,
    )
    .action(async (options: { filename: string }, command: Command) => {
      const source = await readSource(options.filename, ctx.io.cwd, ctx.io.readStdin);
      const lines = readEventLines(source.text);
      const refusals = lines.flatMap((l) => ('error' in l ? [{ line: l.line, text: refusalLine(l.line, { reason: l.error }) }] : []));
      const events = lines.filter((l): l is { line: number; event: unknown } => 'event' in l);
      const client = ctx.client(command);
      let accepted = 0;
      for (let start = 0; start < events.length; start += BatchSize) {
        const batch = events.slice(start, start + BatchSize);
        const result = await client.submitEvents(batch.map((b) => b.event));
        accepted += result.accepted.length;
        for (const refusal of result.refused) {
          const line = batch[refusal.index]?.line ?? 0;
          refusals.push({ line, text: refusalLine(line, refusal) });
        }
      }
      ctx.io.stdout(`accepted ${accepted}, refused ${refusals.length}\n`);
      // Unparseable lines were found first; report everything in file order.
      if (refusals.length > 0) throw new CliError(refusals.sort((a, b) => a.line - b.line).map((r) => r.text));
    });
}
