/**
 * `/readyz`'s answer, as Kubernetes' API server gives it, served the same by
 * the HTTP API and the bridge process: 200 `ok` when every check passes;
 * otherwise 503 with one line per check — `[+]name ok` or
 * `[-]name failed: reason` — and `readyz check failed`. `verbose` gives the
 * lines on a 200 too.
 */

/** One thing readiness depends on: the engine's Redis, a bridge. */
export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed; shown after `failed:`. */
  readonly reason?: string;
}

export function readinessAnswer(checks: readonly ReadinessCheck[], verbose = false): { readonly status: 200 | 503; readonly body: string } {
  const ready = checks.every((c) => c.ok);
  if (ready && !verbose) return { status: 200, body: 'ok' };
  const lines = checks.map((c) => (c.ok ? `[+]${c.name} ok` : `[-]${c.name} failed${c.reason ? `: ${c.reason}` : ''}`));
  return { status: ready ? 200 : 503, body: `${[...lines, `readyz check ${ready ? 'passed' : 'failed'}`].join('\n')}\n` };
}
