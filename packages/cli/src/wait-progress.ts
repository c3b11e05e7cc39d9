/**
 * A progress bar while the CLI waits on a long server-side job (a replay of
 * a long log), drawn with `cli-progress` on stderr. It is drawn only on a
 * terminal and only once the wait passes `delayMs`, so quick answers, pipes
 * and scripts see nothing; it is cleared when the answer comes.
 */
import { SingleBar } from 'cli-progress';
import type { CliIO } from './context.ts';

/** How long a wait goes unmarked. Default 1 s. */
export const defaultProgressDelayMs = 1000;

/** Steps of the bar's sweep: the server reports no progress, so the bar shows activity, not a fraction. */
const sweep = 20;

/** Await `work`, showing `label` and an indeterminate bar on a terminal stderr while it takes longer than the delay. */
export async function withProgress<T>(io: Pick<CliIO, 'progressStream' | 'progressDelayMs'>, label: string, work: Promise<T>): Promise<T> {
  const stream = io.progressStream;
  if (stream?.isTTY !== true) return work;
  let bar: SingleBar | undefined;
  let tick: ReturnType<typeof setInterval> | undefined;
  const start = setTimeout(() => {
    bar = new SingleBar(
      { stream, format: `${label} {bar} {duration_formatted}`, clearOnComplete: true, hideCursor: true, barsize: sweep },
    );
    bar.start(sweep, 0);
    let step = 0;
    tick = setInterval(() => bar?.update((step = (step + 1) % (sweep + 1))), 100);
  }, io.progressDelayMs ?? defaultProgressDelayMs);
  try {
    return await work;
  } finally {
    clearTimeout(start);
    clearInterval(tick);
    bar?.stop();
  }
}
