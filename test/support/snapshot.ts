/**
 * What must agree between two runs that saw the same events delivered
 * differently: the events in the log, and the cluster they imply — node by
 * node, which pods run there and in which phase, and the DaemonSets' status.
 * Timestamps and generated names depend on when passes ran, so they are left out.
 */
import type { Engine } from './cluster.ts';
import { targetNodeName } from '@everynode/daemonset';

export interface ClusterSnapshot {
  events: string[];
  nodes: Record<string, unknown>;
  podsByNode: Record<string, string[]>;
  daemonSets: Record<string, unknown>;
}

/** `source` selects the producer whose events must agree (the agent's depend on when passes ran). */
export async function snapshot(engine: Engine, source = 'test'): Promise<ClusterSnapshot> {
  const events: string[] = [];
  for (let after = 0; ; ) {
    const entries = await engine.history.readLog({ after, limit: 5000 });
    for (const e of entries) if (e.kind === 'event' && e.event.source === source) events.push(`${e.event.source}/${e.event.id}`);
    if (entries.length < 5000) break;
    after = entries.at(-1)!.seq;
  }
  const nodes: Record<string, unknown> = {};
  for (const n of await engine.reader.listNodes()) nodes[n.metadata.name] = { labels: n.metadata.labels ?? {}, taints: n.spec?.taints ?? [] };
  const podsByNode: Record<string, string[]> = {};
  for (const p of await engine.reader.listPods()) {
    if (p.metadata.deletionTimestamp) continue;
    const node = targetNodeName(p) ?? '?';
    (podsByNode[node] ??= []).push(`${p.metadata.namespace}:${p.status?.phase}:${p.metadata.labels?.['controller-revision-hash']}`);
  }
  for (const list of Object.values(podsByNode)) list.sort();
  const daemonSets: Record<string, unknown> = {};
  for (const ds of await engine.reader.listDaemonSets()) {
    const { observedGeneration, ...counters } = ds.status ?? ({} as Record<string, unknown>);
    daemonSets[`${ds.metadata.namespace}/${ds.metadata.name}`] = { generation: ds.metadata.generation, observedGeneration, ...counters };
  }
  return { events: events.sort(), nodes, podsByNode, daemonSets };
}

/**
 * Wait until no event, pass or command is waiting or running, no DaemonSet
 * has dirty marks and the outbox is empty — twice in a row. `agent`: commands are
 * being executed, so they must drain too.
 */
export async function quiesce(engine: Engine, timeoutMs = 30_000, { agent = true }: { agent?: boolean } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let calm = 0;
  let last = '';
  while (calm < 2) {
    if (Date.now() > deadline) throw new Error(`the engine did not settle: ${last}`);
    const counts = await Promise.all(
      // Without an agent, commands wait forever: only with one must they drain.
      [engine.queues.events, engine.queues.reconcile, ...(agent ? [engine.queues.commands] : [])].map((q) => q.getJobCounts('wait', 'active', 'prioritized')),
    );
    const busy = counts.some((c) => Object.values(c).some((n) => n > 0));
    const dirty = await engine.store.dirtyDaemonSets();
    const outbox = await engine.store.redis.xlen(engine.store.keys.outbox);
    calm = busy || dirty.length > 0 || outbox > 0 ? 0 : calm + 1;
    last = JSON.stringify({ counts, dirty, outbox });
    await new Promise((r) => setTimeout(r, 50));
  }
}
