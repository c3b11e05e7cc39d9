/**
 * A read-modify-write that retries on `409 Conflict`, as client-go's
 * `retry.RetryOnConflict(retry.DefaultRetry, …)` does for kubectl's own
 * read-modify-writes: the object changed between the read and the write (the
 * controller's status write, most often), so read it again and redo the
 * change. `attempt` must read what it changes. Five tries, 10 ms apart (with
 * jitter), then the conflict is the answer.
 */
import { ApiError } from '@everynode/client';

const steps = 5;
const delayMs = 10;

export async function retryOnConflict<T>(attempt: () => Promise<T>): Promise<T> {
  for (let step = 1; ; step++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409) || step >= steps) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs * (1 + Math.random() * 0.1)));
    }
  }
}
