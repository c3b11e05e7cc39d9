/**
 * A short-lived cache in front of the node-annotations lookup, so a burst of
 * commands for one node (a DaemonSet rollout) costs one lookup, while an
 * annotation change is seen within `ttlMs`.
 */

/** Reads a node's annotations; `undefined` when the node is not known. */
export type NodeAnnotationsLookup = (nodeName: string) => Promise<Record<string, string> | undefined>;

interface Entry {
  readonly expiresAt: number;
  readonly value: Promise<Record<string, string> | undefined>;
}

/** Above this many entries, expired ones are swept on insert, so memory follows the nodes in use. */
const sweepThreshold = 1024;

export class AnnotationsCache {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly lookup: NodeAnnotationsLookup,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The node's annotations, at most `ttlMs` old; concurrent callers share one lookup. */
  get(nodeName: string): Promise<Record<string, string> | undefined> {
    const at = this.now();
    const cached = this.#entries.get(nodeName);
    if (cached !== undefined && cached.expiresAt > at) return cached.value;
    const value = this.lookup(nodeName);
    // A failed lookup is not remembered: the job retries and should ask again.
    value.catch(() => this.#entries.delete(nodeName));
    if (this.#entries.size >= sweepThreshold) this.#sweep(at);
    this.#entries.set(nodeName, { expiresAt: at + this.ttlMs, value });
    return value;
  }

  #sweep(at: number): void {
    for (const [name, entry] of this.#entries) {
      if (entry.expiresAt <= at) this.#entries.delete(name);
    }
  }
}
