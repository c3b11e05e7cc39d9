/**
 * One HTTP exchange with everynode over the global `fetch`: builds the URL,
 * applies the timeout, reads the body once, and turns failures into
 * `ApiError` / `UnreachableError`. Knows nothing of resources.
 */
import { ApiError, UnreachableError, describeFetchFailure } from './errors.ts';
import type { Answer, Fetch } from './tls.ts';
import { StatusSchema } from '@everynode/api';

export interface HttpOptions {
  /** Base URL, without trailing slash. */
  readonly server: string;
  /** Milliseconds before a request counts as unanswered. */
  readonly timeoutMs: number;
  readonly fetch: Fetch;
  /** Sent as `Authorization: Bearer …` on every request, when set. */
  readonly token?: string;
}

export interface RequestSpec {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Sent as JSON unless `contentType` says otherwise. */
  readonly body?: unknown;
  /** Default `application/json` when there is a body. */
  readonly contentType?: string;
  /** Error statuses whose body the caller reads itself instead of getting an `ApiError`. */
  readonly acceptStatus?: readonly number[];
}

export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
  /** The body parsed as JSON, `undefined` when it is not JSON. */
  readonly json: unknown;
}

/** The full URL of `spec` on `server`. */
export function urlOf(server: string, spec: Pick<RequestSpec, 'path' | 'query'>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(spec.query ?? {})) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const query = params.toString();
  return `${server}${spec.path}${query === '' ? '' : `?${query}`}`;
}

/** Perform `spec`; resolves with the answer for 2xx (and `acceptStatus`), rejects with a typed error otherwise. */
export async function exchange(options: HttpOptions, spec: RequestSpec): Promise<HttpAnswer> {
  const headers: Record<string, string> = { accept: 'application/json', ...authorizationOf(options.token) };
  let body: string | undefined;
  if (spec.body !== undefined) {
    headers['content-type'] = spec.contentType ?? 'application/json';
    body = JSON.stringify(spec.body);
  }
  let response: Answer;
  try {
    response = await options.fetch(urlOf(options.server, spec), {
      method: spec.method,
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const detail = isTimeout(error) ? `no answer within ${options.timeoutMs} ms` : describeFetchFailure(error);
    throw new UnreachableError(options.server, detail, { cause: error });
  }
  const text = await response.text();
  const answer = { status: response.status, text, json: parseJson(text) };
  if (response.ok || spec.acceptStatus?.includes(response.status)) return answer;
  const status = StatusSchema.safeParse(answer.json);
  throw new ApiError(response.status, status.success ? status.data : undefined, text);
}

/** The Authorization header for `token`: none without one. */
export function authorizationOf(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * Perform the GET `spec` for a stream: resolves with the response once its
 * headers are in (a 2xx), its body unread; `timeoutMs` bounds only the wait
 * for the headers. `signal` aborts the request, the body's reading included.
 * A non-2xx rejects as `exchange` does.
 */
export async function openStream(options: HttpOptions, spec: Pick<RequestSpec, 'path' | 'query'>, signal?: AbortSignal): Promise<Answer> {
  const headersTimeout = new AbortController();
  const timer = setTimeout(() => headersTimeout.abort(new DOMException('no answer in time', 'TimeoutError')), options.timeoutMs);
  const signals = signal === undefined ? [headersTimeout.signal] : [headersTimeout.signal, signal];
  let response: Answer;
  try {
    response = await options.fetch(urlOf(options.server, spec), { method: 'GET', headers: { accept: 'application/json', ...authorizationOf(options.token) }, signal: AbortSignal.any(signals) });
  } catch (error) {
    if (signal?.aborted) throw error;
    const detail = headersTimeout.signal.aborted ? `no answer within ${options.timeoutMs} ms` : describeFetchFailure(error);
    throw new UnreachableError(options.server, detail, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  if (response.ok) return response;
  const text = await response.text();
  const status = StatusSchema.safeParse(parseJson(text));
  throw new ApiError(response.status, status.success ? status.data : undefined, text);
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Plain-text answers (/healthz, /metrics) are not JSON; the caller reads `text`.
    return undefined;
  }
}
