/**
 * Golden histories: recorded logs (`test/fixtures/golden/NAME.jsonl`) and the
 * state each must produce (`NAME.expected.json`), normalised so that a diff
 * reads as a change in semantics: objects sorted, only what a user sees
 * (`get nodes/ds/pods`), nothing the replay does not determine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { targetNodeName, type ClusterState } from '@everynode/daemonset';
import { EventStore, importLog, replay, verify } from '@everynode/eventlog';
import { openRedis } from '@everynode/engine';
import { redisUrl, uniquePrefix } from './cluster.ts';

export const goldenDir = new URL('../fixtures/golden/', import.meta.url);

/** The names of the recorded histories (`NAME.jsonl`). */
export function goldenNames(): string[] {
  return readdirSync(goldenDir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => f.slice(0, -'.jsonl'.length))
    .sort();
}

export interface NormalisedState {
  readonly nodes: readonly { name: string; labels: Record<string, string>; taints: readonly unknown[]; unschedulable: boolean; ready: string }[];
  readonly daemonSets: readonly { key: string; generation: number; images: readonly string[]; status: Record<string, unknown> }[];
  readonly pods: readonly { key: string; node: string | null; phase: string | null; ready: boolean; revisionHash: string | null; deleting: boolean }[];
}

const byKey = <T extends { key?: string; name?: string }>(a: T, b: T) => ((a.key ?? a.name ?? '') < (b.key ?? b.name ?? '') ? -1 : 1);

/** What a user sees of `state`, sorted. Tombstoned DaemonSets are left out, as `get ds` leaves them out. */
export function normalise(state: ClusterState): NormalisedState {
  const nodes = [...state.nodes.values()].map((n) => ({
    name: n.metadata.name,
    labels: Object.fromEntries(Object.entries(n.metadata.labels ?? {}).sort()),
    taints: n.spec?.taints ?? [],
    unschedulable: n.spec?.unschedulable ?? false,
    ready: n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown',
  }));
  const daemonSets = [...state.daemonSets]
    .filter(([, r]) => !r.deleted)
    .map(([key, r]) => ({
      key,
      generation: r.daemonSet.metadata.generation ?? 0,
      images: (r.daemonSet.spec.template.spec.containers ?? []).map((c) => c.image ?? ''),
      status: Object.fromEntries(Object.entries(r.daemonSet.status ?? {}).sort()),
    }));
  const pods = [...state.pods].map(([key, p]) => ({
    key,
    node: targetNodeName(p) ?? null,
    phase: p.status?.phase ?? null,
    ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    revisionHash: p.metadata.labels?.['controller-revision-hash'] ?? null,
    deleting: p.metadata.deletionTimestamp !== undefined,
  }));
  return { nodes: nodes.sort(byKey), daemonSets: daemonSets.sort(byKey), pods: pods.sort(byKey) };
}

/** Import the history NAME into a fresh prefix, check it verifies, and return what its replay implies. */
export async function replayGolden(name: string): Promise<{ state: NormalisedState; differences: string[] }> {
  const redis = openRedis(redisUrl);
  const store = new EventStore(redis, uniquePrefix(`golden-${name}`));
  try {
    await importLog(store, [readFileSync(new URL(`${name}.jsonl`, goldenDir), 'utf8')]);
    const { differences } = await verify(store);
    const { state } = await replay(store);
    return { state: normalise(state), differences };
  } finally {
    await store.destroy();
    await redis.quit();
  }
}

/** The stored expectation for NAME. */
export function expectedOf(name: string): NormalisedState {
  return JSON.parse(readFileSync(new URL(`${name}.expected.json`, goldenDir), 'utf8')) as NormalisedState;
}
