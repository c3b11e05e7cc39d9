/** Helpers for the engine's own tests: operations run by hand, without workers. */
import type { EventStore } from '@everynode/eventlog';
import { runPass } from './pass.ts';

/** Run passes over every dirty DaemonSet at `now` until none is left; the commands they recorded. */
export async function settle(store: EventStore, now: number): Promise<number> {
  let commands = 0;
  for (let i = 0; i < 10; i++) {
    const dirty = await store.dirtyDaemonSets();
    if (dirty.length === 0) return commands;
    for (const key of dirty) commands += (await runPass(store, key, now)).commands;
  }
  throw new Error('still dirty after 10 rounds of passes');
}
