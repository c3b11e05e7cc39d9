/**
 * The two ways a request fails: the server answered no (`ApiError`, carrying
 * Kubernetes' `Status` when the server sent one), or nobody answered
 * (`UnreachableError`). Callers branch on the class, never on message text.
 */
import type { Status } from '@everynode/api';

/** The server answered with an error status. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** The HTTP status code. */
  readonly status: number;
  /** Kubernetes' machine-readable reason (`NotFound`, `AlreadyExists`, `Invalid`, …), when the body was a `Status`. */
  readonly reason: string | undefined;
  /** The `Status` body, when the server sent one. */
  readonly body: Status | undefined;

  constructor(status: number, body: Status | undefined, text: string) {
    super(body?.message ?? fallbackMessage(status, text));
    this.status = status;
    this.reason = body?.reason;
    this.body = body;
  }
}

/** kubectl's wording for an error answer without a `Status` (client-go `newUnstructuredResponseError`). */
function fallbackMessage(status: number, text: string): string {
  const body = text.trim();
  if (body === '') return `the server responded with the status code ${status} but did not return more information`;
  return `an error on the server (${JSON.stringify(body.slice(0, 200))}) has prevented the request from succeeding`;
}

/** No answer: connection refused, unknown host, or no reply in time. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
  /** The server's base URL. */
  readonly url: string;
  /** What went wrong at the socket, e.g. `connect ECONNREFUSED`. */
  readonly detail: string;

  constructor(url: string, detail: string, options?: { cause?: unknown }) {
    super(`cannot reach everynode at ${url} (${detail}): start one with \`everynode up\``, options);
    this.url = url;
    this.detail = detail;
  }
}

interface SocketErrorLike {
  code?: unknown;
  syscall?: unknown;
  hostname?: unknown;
  errors?: unknown;
}

/**
 * `connect ECONNREFUSED` from what `fetch` throws: a `TypeError('fetch failed')`
 * whose cause is the socket error (an `AggregateError` when both IPv4 and IPv6
 * were tried, as for `localhost`).
 */
export function describeFetchFailure(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const socket = pickSocketError(cause);
  if (socket !== undefined && typeof socket.code === 'string') {
    const syscall = typeof socket.syscall === 'string' ? `${socket.syscall} ` : '';
    return `${syscall}${socket.code}`;
  }
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function pickSocketError(cause: unknown): SocketErrorLike | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const candidate = cause as SocketErrorLike;
  if (typeof candidate.code === 'string' && typeof candidate.syscall === 'string') return candidate;
  // An AggregateError carries the code, the syscall lives on each attempt.
  if (Array.isArray(candidate.errors) && candidate.errors.length > 0) {
    return { ...(candidate.errors[0] as SocketErrorLike), code: candidate.code ?? (candidate.errors[0] as SocketErrorLike).code };
  }
  return candidate;
}

/** The server answered 2xx with a body that is not what the API promises (a server bug or a different server). */
export class UnexpectedAnswerError extends Error {
  override readonly name = 'UnexpectedAnswerError';
  constructor(what: string, problem: string) {
    super(`unexpected answer to ${what}: ${problem}`);
  }
}
