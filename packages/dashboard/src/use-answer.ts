/**
 * `useAnswer`: the answer to `GET path` as a component's state — the value,
 * the error's message, or undefined while none came yet — asked again when
 * the path or `refresh` changes, the previous request aborted. Every tab
 * reads the API this way.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.ts';

export interface AnswerOptions {
  /** Ask again when this changes (a version, a counter). */
  readonly refresh?: unknown;
  /** Ask only once the path has rested this long (a drag, typing). Default: at once. */
  readonly delayMs?: number;
  /** Forget the previous answer as soon as the path changes (it was about something else). */
  readonly clear?: boolean;
}

export function useAnswer<T>(api: Api, path: string, { refresh, delayMs = 0, clear = false }: AnswerOptions = {}): T | string | undefined {
  const [answer, setAnswer] = useState<T | string | undefined>(undefined);
  useEffect(() => {
    const stop = new AbortController();
    if (clear) setAnswer(undefined);
    const ask = () =>
      void api
        .get<T>(path, stop.signal)
        .then(setAnswer)
        .catch((error: Error) => stop.signal.aborted || setAnswer(error.message));
    const timer = delayMs > 0 ? setTimeout(ask, delayMs) : (ask(), undefined);
    return () => {
      clearTimeout(timer);
      stop.abort();
    };
  }, [api, path, refresh]);
  return answer;
}
