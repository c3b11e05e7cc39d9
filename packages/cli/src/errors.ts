/**
 * How a failure reads on stderr: one line each, kubectl's wording. Commands
 * throw; the runner prints and exits 1.
 */
import { ApiError, UnexpectedAnswerError, UnreachableError } from '@everynode/client';

/** A failure whose text is already what the user should read (one or more lines, each complete). */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly lines: readonly string[];
  constructor(lines: string | readonly string[]) {
    const all = typeof lines === 'string' ? [lines] : lines;
    super(all.join('\n'));
    this.lines = all;
  }
}

/**
 * The stderr lines for `error`: kubectl's `Error from server (Reason): …`
 * for an API error (an Invalid manifest reads as its message alone, as
 * kubectl prints it), `error: …` for everything else.
 */
export function errorLines(error: unknown): readonly string[] {
  if (error instanceof CliError) return error.lines;
  if (error instanceof ApiError) {
    if (error.reason === 'Invalid') return [oneLine(error.message)];
    return [error.reason ? `Error from server (${error.reason}): ${oneLine(error.message)}` : `Error from server: ${oneLine(error.message)}`];
  }
  if (error instanceof UnreachableError || error instanceof UnexpectedAnswerError) return [`error: ${oneLine(error.message)}`];
  return [`error: ${oneLine(error instanceof Error ? error.message : String(error))}`];
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
