/**
 * The queue pages' paths and cookie (`queue-board.ts`), apart from
 * bull-board itself: what the auth checks ask about a request.
 */

/** Where the pages are. */
export const queueBoardPath = '/queues';

/** The cookie the token is kept in for bull-board's requests. */
export const queueBoardCookie = 'everynode_queues';

/** Whether `path` is one of the queue pages' (the cookie is read for these only). */
export function isQueueBoardPath(path: string): boolean {
  return path === queueBoardPath || path.startsWith(`${queueBoardPath}/`);
}

/** The token in `cookie` (a `Cookie` header), if it holds ours. */
export function queueBoardToken(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === queueBoardCookie && value.length > 0) {
      try {
        return decodeURIComponent(value.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** A retry in bull-board's API: of one job, or of every job in a state. */
export function isQueueBoardRetry(method: string, path: string): boolean {
  return (method === 'PUT' || method === 'POST') && /^\/queues\/api\/queues\/[^/]+\/(retry\/[^/]+|[^/]+\/retry)$/.test(path);
}
