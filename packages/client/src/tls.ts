/**
 * HTTPS to a server whose certificate the system does not trust (a
 * self-signed one, `up --tls-cert`): a `fetch` that trusts the given CA as
 * well as the system's. Node's global `fetch` takes no CA of its own, so
 * this one is undici's, with an agent that does.
 */
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';

/** `fetch`, trusting `ca` (PEM) besides the system's roots; the global `fetch` when there is no `ca`. */
export function fetchTrusting(ca: string | undefined): typeof fetch {
  if (!ca) return globalThis.fetch;
  const dispatcher = new Agent({ connect: { ca: [...rootCertificates, ca] } });
  return ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch;
}
