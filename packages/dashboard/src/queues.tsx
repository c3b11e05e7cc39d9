/**
 * Queues: the engine's queues' depths (read through bull-board's API, when
 * the tab opens and when asked — not polled), the dead-letter queue's
 * refused events and parked messages with their reasons, and a retry per
 * letter (`POST /dlq/ID/replay`, which the API allows only to a token that
 * may write; a read-only token sees its 403). The queues' jobs and their
 * own retries are bull-board's pages at `/queues`, opened from here.
 */
import type { DeadLetter, DeadLetterPage, SubmitResult } from '@everynode/api';
import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { useAnswer } from './use-answer.ts';

const pageSize = 100;

/** One queue as bull-board's API describes it: its name and its job counts by state. */
interface QueueDepth {
  readonly name: string;
  readonly counts: Readonly<Record<string, number>>;
}

const depthStates = ['waiting', 'prioritized', 'delayed', 'active', 'failed', 'completed', 'paused'] as const;

/** The queues' depths, read once (and again when asked) through bull-board's API; its cookie first. */
function useDepths(api: Api, version: number): readonly QueueDepth[] | string | undefined {
  const [depths, setDepths] = useState<readonly QueueDepth[] | string | undefined>(undefined);
  useEffect(() => {
    const stop = new AbortController();
    api
      .postOnly('/queues/session')
      .then(() => api.get<{ queues: QueueDepth[] }>('/queues/api/queues?jobsPerPage=1', stop.signal))
      .then((answer) => setDepths([...answer.queues].sort((a, b) => (a.name < b.name ? -1 : 1))))
      .catch((error: Error) => stop.signal.aborted || setDepths(error.message));
    return () => stop.abort();
  }, [api, version]);
  return depths;
}

export function Queues({ api }: { api: Api }) {
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [version, setVersion] = useState(0);
  const page = useAnswer<DeadLetterPage>(api, `/dlq?limit=${pageSize}`, { refresh: version });

  const retry = async (letter: DeadLetter) => {
    try {
      const result = await api.post<SubmitResult>(`/dlq/${encodeURIComponent(letter.id)}/replay`);
      setNotes((n) => ({ ...n, [letter.id]: `accepted ${result.accepted.length}, refused ${result.refused.length}` }));
      setVersion((v) => v + 1);
    } catch (error) {
      setNotes((n) => ({ ...n, [letter.id]: (error as Error).message }));
    }
  };

  const depths = useDepths(api, version);
  // bull-board's page sends no Authorization header: the token goes into its cookie first (`POST /queues/session`).
  const openBoard = async () => {
    try {
      await api.postOnly('/queues/session');
      window.open('/queues', '_blank', 'noopener');
    } catch (error) {
      setNotes((n) => ({ ...n, board: (error as Error).message }));
    }
  };

  return (
    <div class="queues">
      <p>
        The queues' depths, jobs and retries:{' '}
        <button type="button" onClick={() => void openBoard()} data-testid="open-board">
          open bull-board
        </button>{' '}
        {notes.board ?? ''}{' '}
        <button type="button" onClick={() => setVersion((v) => v + 1)}>
          read again
        </button>
      </p>
      {typeof depths === 'string' && <p class="error">{depths}</p>}
      {typeof depths === 'object' && (
        <table class="dlq depths" data-testid="depths">
          <thead>
            <tr>
              <th>queue</th>
              {depthStates.map((state) => (
                <th key={state}>{state}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {depths.map((queue) => (
              <tr key={queue.name} data-queue={queue.name}>
                <td>{queue.name}</td>
                {depthStates.map((state) => (
                  <td key={state} data-state={state}>
                    {queue.counts[state] ?? 0}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {typeof page === 'string' && <p class="error">{page}</p>}
      {typeof page === 'object' && (
        <>
          <h3 data-testid="dlq-total">{page.total} dead letters</h3>
          <table class="dlq">
            <thead>
              <tr>
                <th>id</th>
                <th>kind</th>
                <th>reason</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {page.items.map((letter) => (
                <tr key={letter.id} data-letter={letter.id}>
                  <td>{letter.id}</td>
                  <td>{letter.kind}</td>
                  <td>{letter.reason}</td>
                  <td>
                    <button type="button" onClick={() => void retry(letter)}>
                      retry
                    </button>{' '}
                    {notes[letter.id] ?? ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
