/**
 * The client's transport, and HTTPS to a server whose certificate the system
 * does not trust (a self-signed one, `up --tls-cert`).
 *
 * `fetchTrusting(ca)` trusts only the given CA, as kubectl's
 * `certificate-authority` does (it replaces the system's roots rather than
 * adding to them). Node's global `fetch` takes no CA of its own; this is
 * `fetch`'s call shape over `node:https`, answering only what the client
 * reads (`Answer`) — undici's `fetch` with a dispatcher would do as well, but
 * loading undici, compiling its WebAssembly parser and creating web
 * `Response`s costs each CLI command ~100 ms, more than the rest of a `get`
 * (README, "Startup and footprint").
 */
import { Agent, request } from 'node:https';
import { Readable } from 'node:stream';

/** What the client reads of an HTTP answer. A fetch `Response` is one. */
export interface Answer {
  readonly status: number;
  /** 2xx. */
  readonly ok: boolean;
  /** The answer's headers, by name (any case); several of one name joined with ", ". */
  readonly headers: { get(name: string): string | null };
  /** The whole body as text (read once). */
  text(): Promise<string>;
  /** The body as it arrives, for streams (read once, instead of `text`); null when there is none. */
  readonly body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null;
}

/** `fetch`'s call shape, answering an `Answer`: the global `fetch` is one. */
export type Fetch = (url: string, init: RequestInit) => Promise<Answer>;

/** A transport trusting only `ca` (PEM); the global `fetch`, trusting the system's roots, when there is no `ca`. */
export function fetchTrusting(ca: string | undefined): Fetch {
  if (!ca) return globalThis.fetch;
  const agent = new Agent({ ca, keepAlive: true });
  return (url, init) => httpsFetch(agent, new URL(url), init);
}

/** Statuses whose answer has no body. */
const bodiless = new Set([204, 205, 304]);

function httpsFetch(agent: Agent, url: URL, init: RequestInit): Promise<Answer> {
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const method = (init.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((init.headers ?? {}) as Record<string, string>)) headers[name.toLowerCase()] = value;
  return new Promise<Answer>((resolve, reject) => {
    const req = request(url, { method, agent, headers, ...(signal ? { signal } : {}) });
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      const empty = bodiless.has(status) || method === 'HEAD';
      if (empty) res.resume();
      resolve({
        status,
        ok: status >= 200 && status < 300,
        headers: {
          get(name) {
            const value = res.headers[name.toLowerCase()];
            return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
          },
        },
        // An abort after the answer ends the body with an error, as fetch's does.
        body: empty ? null : res,
        async text() {
          if (empty) return '';
          const chunks: Buffer[] = [];
          for await (const chunk of res) chunks.push(chunk as Buffer);
          return Buffer.concat(chunks).toString('utf8');
        },
      });
    });
    // As fetch: an abort rejects with the signal's reason; anything else is a TypeError whose cause is the socket's error.
    req.once('error', (error) => reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error })));
    const body = init.body;
    if (body === undefined || body === null) req.end();
    else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
    else if (body instanceof ArrayBuffer) req.end(Buffer.from(body));
    else if (Symbol.asyncIterator in body) {
      // A streamed upload (`duplex: 'half'`), as `everynode import` sends a file.
      const source = Readable.from(body as AsyncIterable<Uint8Array>);
      source.once('error', (error) => req.destroy(error));
      source.pipe(req);
    } else {
      req.destroy();
      reject(new TypeError('fetchTrusting: a request body must be a string, bytes or an async iterable of bytes'));
    }
  });
}
