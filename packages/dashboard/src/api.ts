/**
 * The page's calls to everynode's API, on the page's own origin. With
 * authentication on, every call carries `Authorization: Bearer TOKEN`: the
 * token comes from the URL's fragment (`/#token=…`, which `npm start` and
 * `everynode up` print — a fragment is never sent to a server or logged by
 * one) and is kept in sessionStorage for the tab, the fragment then cleared
 * from the address bar.
 */
import type { WatchEvent } from './cluster-model.ts';

const storageKey = 'everynode.token';

/** Take a `#token=` from the address into sessionStorage; the token to send, if any. */
export function adoptToken(location: Location, storage: Storage, history: History): string | undefined {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromFragment = fragment.get('token');
  if (fromFragment) {
    storage.setItem(storageKey, fromFragment);
    fragment.delete('token');
    const rest = fragment.toString();
    history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  }
  return storage.getItem(storageKey) ?? undefined;
}

/** An answer that was not 2xx: its Status message. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export class Api {
  constructor(private readonly token: string | undefined) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { accept: 'application/json', ...extra, ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) };
  }

  private async check(response: Response): Promise<Response> {
    if (response.ok) return response;
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { message?: string };
      if (body.message) message = body.message;
    } catch {
      // not a Status: the status line says enough
    }
    throw new ApiError(response.status, message);
  }

  /** GET `path` as JSON. */
  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const response = await this.check(await fetch(path, { headers: this.headers(), ...(signal ? { signal } : {}) }));
    return (await response.json()) as T;
  }

  /** POST `path` (no body), for its effect only. */
  async postOnly(path: string): Promise<void> {
    await this.check(await fetch(path, { method: 'POST', headers: this.headers() }));
  }

  /** POST `path` (no body) as JSON. */
  async post<T>(path: string): Promise<T> {
    const response = await this.check(await fetch(path, { method: 'POST', headers: this.headers() }));
    return (await response.json()) as T;
  }

  /**
   * Follow a Kubernetes watch (`path` with `?watch=1&resourceVersion=…`):
   * calls `onEvents` with each chunk's events (a burst arrives as one
   * batch), until `signal` aborts or the server ends the stream, then
   * resolves. The stream is one long HTTP response: nothing polls.
   */
  async watch<T>(path: string, onEvents: (events: WatchEvent<T>[]) => void, signal: AbortSignal): Promise<void> {
    const response = await this.check(await fetch(path, { headers: this.headers(), signal }));
    if (!response.body) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffered += value;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        const events = lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as WatchEvent<T>);
        if (events.length > 0) onEvents(events);
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    } finally {
      reader.releaseLock();
    }
  }
}
