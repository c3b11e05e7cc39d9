/**
 * Runs each command at most once per process, although BullMQ delivers at
 * least once. Remembers the most recent `capacity` executed ids (oldest
 * forgotten first); a copy that arrives while the original is still running
 * waits for it, and runs only if the original failed.
 */

export type OnceResult = 'executed' | 'duplicate';

export class OncePerId {
  readonly #done = new Set<string>();
  readonly #running = new Map<string, Promise<unknown>>();

  constructor(private readonly capacity: number) {}

  async run(id: string, work: () => Promise<unknown>): Promise<OnceResult> {
    for (let running = this.#running.get(id); running !== undefined; running = this.#running.get(id)) {
      // The original's failure is reported by its own job; here it only means "try again".
      await running.catch(() => undefined);
    }
    if (this.#done.has(id)) return 'duplicate';
    const running = work();
    this.#running.set(id, running);
    try {
      await running;
      this.#remember(id);
      return 'executed';
    } finally {
      this.#running.delete(id);
    }
  }

  #remember(id: string): void {
    this.#done.add(id);
    // A Set iterates in insertion order, so its first element is the oldest.
    for (const oldest of this.#done) {
      if (this.#done.size <= this.capacity) break;
      this.#done.delete(oldest);
    }
  }
}
