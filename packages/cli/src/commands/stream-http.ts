/**
 * Streamed HTTP for export and import, which the JSON client does not do:
 * `fetch` with the client's errors (an unreachable server, a Kubernetes
 * `Status` body), so they read as every other command's.
 */
import { type Answer, ApiError, authorizationOf, describeFetchFailure, fetchTrusting, StatusSchema, UnreachableError } from '@everynode/client';
import type { Credentials } from '../credentials.ts';

/** `fetch(server + path, init)` with `credentials`; a non-2xx answer becomes an `ApiError` carrying the server's message. */
export async function fetchOrThrow(server: string, path: string, init: RequestInit & { headers?: Record<string, string> }, credentials: Credentials): Promise<Answer> {
  let response: Answer;
  try {
    response = await fetchTrusting(credentials.ca)(`${server}${path}`, { ...init, headers: { ...init.headers, ...authorizationOf(credentials.token) } });
  } catch (error) {
    throw new UnreachableError(server, describeFetchFailure(error), { cause: error });
  }
  if (response.ok) return response;
  const text = await response.text();
  throw new ApiError(response.status, statusOf(text), text);
}

function statusOf(text: string) {
  try {
    const parsed = StatusSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
