/**
 * Queues: the dead-letter queue's refused events and parked messages with
 * their reasons, and a retry per letter (`POST /dlq/ID/replay`, which the
 * API allows only to a token with the permission; a read-only token sees
 * its 403). The queues' depths, jobs and their own retries are bull-board's
 * pages at `/queues`, linked here.
 */
import type { DeadLetter, DeadLetterPage, SubmitResult } from '@everynode/api';
import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.ts';

const pageSize = 100;

export function Queues({ api }: { api: Api }) {
  const [page, setPage] = useState<DeadLetterPage | string | undefined>(undefined);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const stop = new AbortController();
    api
      .get<DeadLetterPage>(`/dlq?limit=${pageSize}`, stop.signal)
      .then(setPage)
      .catch((error: Error) => stop.signal.aborted || setPage(error.message));
    return () => stop.abort();
  }, [api, version]);

  const retry = async (letter: DeadLetter) => {
    try {
      const result = await api.post<SubmitResult>(`/dlq/${encodeURIComponent(letter.id)}/replay`);
      setNotes((n) => ({ ...n, [letter.id]: `accepted ${result.accepted.length}, refused ${result.refused.length}` }));
      setVersion((v) => v + 1);
    } catch (error) {
      setNotes((n) => ({ ...n, [letter.id]: (error as Error).message }));
    }
  };

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
