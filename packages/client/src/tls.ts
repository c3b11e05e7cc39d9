/**
 * HTTPS to a server whose certificate the system does not trust (a
 * self-signed one, `up --tls-cert`): a `fetch` that trusts the given CA.
 * As kubectl's `certificate-authority`, the given CA replaces the system's
 * roots rather than adding to them.
 *
 * Node's global `fetch` takes no CA of its own. This one is `fetch`'s
 * interface over `node:https` with an agent that holds the CA: undici's
 * `fetch` with a dispatcher would do as well, but loading it and compiling
 * its WebAssembly parser costs each CLI command ~70 ms, more than the rest of
 * a `get` (README, "Startup and footprint").
 */
import { Agent, request } from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** `fetch`, trusting only `ca` (PEM); the global `fetch`, trusting the system's roots, when there is no `ca`. */
export function fetchTrusting(ca: string | undefined): typeof fetch {
  if (!ca) return globalThis.fetch;
  const agent = new Agent({ ca, keepAlive: true });
  return ((input: string | URL, init: RequestInit = {}) => httpsFetch(agent, new URL(String(input)), init)) as typeof fetch;
}

/** Statuses whose response has no body, which `Response` refuses one for. */
const bodiless = new Set([204, 205, 304]);

function httpsFetch(agent: Agent, url: URL, init: RequestInit): Promise<Response> {
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const method = (init.method ?? 'GET').toUpperCase();
  return new Promise<Response>((resolve, reject) => {
    const req = request(url, { method, agent, headers: Object.fromEntries(new Headers(init.headers)), ...(signal ? { signal } : {}) });
    req.once('response', (res) => {
      const headers = new Headers();
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
      const status = res.statusCode ?? 0;
      const empty = bodiless.has(status) || method === 'HEAD';
      if (empty) res.resume();
      // An abort after the answer ends the body stream with the signal's reason, as fetch's does.
      const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
      resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers }));
    });
    // As fetch: an abort rejects with the signal's reason; anything else is a TypeError whose cause is the socket's error.
    req.once('error', (error) => reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error })));
    const body = init.body;
    if (body === undefined || body === null) req.end();
    else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
    else if (body instanceof ArrayBuffer) req.end(Buffer.from(body));
    else if (body instanceof ReadableStream || Symbol.asyncIterator in body) {
      // A streamed upload (`duplex: 'half'`), as `everynode import` sends a file.
      const source = body instanceof ReadableStream ? Readable.fromWeb(body as WebReadableStream) : Readable.from(body as AsyncIterable<Uint8Array>);
      source.once('error', (error) => req.destroy(error));
      source.pipe(req);
    } else {
      req.destroy();
      reject(new TypeError('fetchTrusting: a request body must be a string, bytes or a stream'));
    }
  });
}
