/**
 * A progress bar for long client-side work (export, import), drawn with
 * `cli-progress` on stderr, and only when stderr is a terminal: pipes and
 * scripts see nothing. A total of 0 means unknown: the bar shows the count.
 */
import { SingleBar } from 'cli-progress';
import type { CliIO } from './context.ts';

export interface Progress {
  /** How far the work has come (in the unit given to `startProgress`). */
  update(done: number): void;
  /** Clear the bar; safe to call more than once. */
  stop(): void;
}

const silent: Progress = { update: () => undefined, stop: () => undefined };

/** A bar labelled `label` counting `unit` up to `total`, or a no-op when `io.progressStream` is not a terminal. */
export function startProgress(io: Pick<CliIO, 'progressStream'>, label: string, total: number, unit: string): Progress {
  const stream = io.progressStream;
  if (stream?.isTTY !== true) return silent;
  const format = total > 0 ? `${label} {bar} {percentage}% | {value}/{total} ${unit}` : `${label} {value} ${unit}`;
  const bar = new SingleBar({ stream, format, clearOnComplete: true, hideCursor: true });
  bar.start(total, 0);
  let stopped = false;
  return {
    update: (done) => bar.update(done),
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
