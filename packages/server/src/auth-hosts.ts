/**
 * DNS rebinding and cross-site writes. A web page can point a name it
 * controls at 127.0.0.1 and have the browser talk to a local everynode; the
 * request then carries `Host: evil.example`. So a request that reached a
 * loopback address — or any request, once allowed hosts are configured —
 * is served only when its Host is a loopback name or address, an allowed
 * host, or the address it reached. And a browser's write (it sends
 * `Origin`) is refused unless it comes from the API's own origin or an
 * allowed host, so another site cannot post to it either.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { failure, type Status } from './status.ts';

/** 127.0.0.0/8, ::1, and IPv4-mapped 127.x (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIPv4(bare)) return bare.startsWith('127.');
  if (!isIPv6(bare)) return false;
  if (bare.startsWith('::ffff:')) return isLoopbackAddress(bare.slice('::ffff:'.length));
  return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
}

/** `localhost`, its subdomains (RFC 6761: never resolved by DNS), and loopback addresses. */
export function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || isLoopbackAddress(hostname);
}

/**
 * The host name of a `Host` value (`[::1]:7700` → `::1`, `localhost:7700` →
 * `localhost`) or of a bare address (`::ffff:127.0.0.1` → `127.0.0.1`), lower
 * case, without a trailing dot; undefined when there is none.
 */
export function hostnameOf(host: string | undefined): string | undefined {
  if (host === undefined || host.trim() === '') return undefined;
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']')) || undefined;
  if (isIPv6(value)) return value.startsWith('::ffff:') && isIPv4(value.slice(7)) ? value.slice(7) : value;
  return value.replace(/:\d*$/, '').replace(/\.$/, '') || undefined;
}

/** Where the check applies and what it accepts. */
export interface HostPolicy {
  /** Host names and addresses served besides loopback ones (`EVERYNODE_ALLOWED_HOSTS`); a non-empty list checks every request. */
  readonly allowedHosts: readonly string[];
}

function isAllowed(hostname: string, policy: HostPolicy, localAddress: string | undefined): boolean {
  if (isLoopbackName(hostname)) return true;
  if (policy.allowedHosts.some((allowed) => hostnameOf(allowed) === hostname)) return true;
  return hostnameOf(localAddress) === hostname;
}

/** What a check needs of a request. */
export interface HostFacts {
  readonly method: string;
  readonly host: string | undefined;
  readonly origin: string | undefined;
  /** The address the request reached (the socket's local address). */
  readonly localAddress: string | undefined;
}

/** A 403 when `Host` is not one this server answers to; undefined when it is, or when the check does not apply. */
export function checkHost(request: HostFacts, policy: HostPolicy): (Status & { code: number }) | undefined {
  const applies = policy.allowedHosts.length > 0 || isLoopbackAddress(request.localAddress);
  if (!applies) return undefined;
  const hostname = hostnameOf(request.host);
  if (hostname !== undefined && isAllowed(hostname, policy, request.localAddress)) return undefined;
  return failure(
    403,
    `forbidden: host ${JSON.stringify(request.host ?? '')} is not served here: use a loopback name or address, or add it to EVERYNODE_ALLOWED_HOSTS (a web page cannot reach this API by rebinding a name)`,
  );
}

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A 403 for a browser's write from another origin; undefined for a read, a request without `Origin`, or one from this origin or an allowed host. */
export function checkOrigin(request: HostFacts, policy: HostPolicy): (Status & { code: number }) | undefined {
  if (readMethods.has(request.method) || request.origin === undefined) return undefined;
  let originHost: string | undefined;
  try {
    originHost = new URL(request.origin).host.toLowerCase();
  } catch {
    originHost = undefined; // `null` (a sandboxed frame, a file) is no origin to trust
  }
  if (originHost !== undefined) {
    if (originHost === request.host?.trim().toLowerCase()) return undefined;
    const hostname = hostnameOf(originHost);
    if (hostname !== undefined && policy.allowedHosts.some((allowed) => hostnameOf(allowed) === hostname)) return undefined;
  }
  return failure(403, `forbidden: a write from origin ${JSON.stringify(request.origin)} is not accepted: only this API's own origin and EVERYNODE_ALLOWED_HOSTS may write from a browser`);
}
