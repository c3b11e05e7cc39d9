/**
 * Watching a DaemonSet roll out: samples of its pods per node and its status,
 * taken every few tens of milliseconds straight from the engine's projection,
 * and the invariants a rollout promises, checked on each sample.
 *
 * A sample reads the pods with one HGETALL, so the pods of a sample are one
 * consistent snapshot; the DaemonSet's status is read alongside and may lag
 * the pods by a pass.
 */
import type { ClusterReader } from '@everynode/engine';
import type { DaemonSetStatus, Pod } from '@everynode/api';

/** What a sample keeps of one pod. */
export interface PodView {
  readonly name: string;
  readonly uid: string;
  /** `controller-revision-hash`. */
  readonly hash: string;
  readonly phase: string;
  /** Deletion requested (`deletionTimestamp`), not yet gone. */
  readonly terminating: boolean;
  /** When its Ready condition turned True (ms), if it is Ready. */
  readonly readySince?: number;
}

/** One look at the DaemonSet: its pods by target node, and its status. */
export interface Sample {
  /** When the reads had completed (ms): every state in the sample existed at or before it. */
  readonly at: number;
  readonly byNode: ReadonlyMap<string, readonly PodView[]>;
  readonly status?: DaemonSetStatus;
  readonly generation: number;
}

/** The node a pod runs on, or is meant for (the per-node affinity of a pod not yet bound). */
export function podNode(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    const field = term.matchFields?.find((f) => f.key === 'metadata.name' && f.operator === 'In');
    if (field?.values?.[0] !== undefined) return field.values[0];
  }
  return undefined;
}

function podView(pod: Pod): PodView {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const readySince = ready?.status === 'True' && ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : undefined;
  return {
    name: pod.metadata.name,
    uid: pod.metadata.uid ?? '',
    hash: pod.metadata.labels?.['controller-revision-hash'] ?? '',
    phase: pod.status?.phase ?? '',
    terminating: pod.metadata.deletionTimestamp !== undefined,
    ...(readySince !== undefined ? { readySince } : {}),
  };
}

/** Read the DaemonSet `namespace/name` and its pods once. */
export async function sample(reader: ClusterReader, namespace: string, name: string): Promise<Sample> {
  const [pods, ds] = await Promise.all([reader.listPods(namespace), reader.getDaemonSet(namespace, name)]);
  const at = Date.now();
  const byNode = new Map<string, PodView[]>();
  for (const pod of pods) {
    if (!pod.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet' && o.name === name && o.controller)) continue;
    const node = podNode(pod) ?? '<none>';
    byNode.set(node, [...(byNode.get(node) ?? []), podView(pod)]);
  }
  return { at, byNode, generation: ds?.metadata.generation ?? 0, ...(ds?.status ? { status: ds.status } : {}) };
}

/** Samples taken until `stop`, one every `everyMs` (default 25). */
export interface Sampler {
  /** Stops sampling; resolves with every sample taken, oldest first, the last one taken after this call. */
  stop(): Promise<Sample[]>;
}

export function startSampler(reader: ClusterReader, namespace: string, name: string, everyMs = 25): Sampler {
  const samples: Sample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      samples.push(await sample(reader, namespace, name));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      samples.push(await sample(reader, namespace, name));
      return samples;
    },
  };
}

/** The pods on a node that are not being deleted. */
export function livePods(s: Sample, node: string): readonly PodView[] {
  return (s.byNode.get(node) ?? []).filter((p) => !p.terminating);
}

/** `IsPodAvailable` as of the sample: Ready for longer than `minReadySeconds`. */
export function isAvailable(pod: PodView, at: number, minReadySeconds = 0): boolean {
  return pod.readySince !== undefined && (minReadySeconds === 0 || pod.readySince + minReadySeconds * 1000 < at);
}

/** The nodes of `nodes` without a live available pod in the sample. */
export function unavailableNodes(s: Sample, nodes: readonly string[], minReadySeconds = 0): string[] {
  return nodes.filter((n) => !livePods(s, n).some((p) => isAvailable(p, s.at, minReadySeconds)));
}

/** The nodes running more than one live pod in the sample. */
export function surgedNodes(s: Sample): string[] {
  return [...s.byNode.keys()].filter((n) => livePods(s, n).length > 1);
}

/**
 * Whether the sample shows the rollout to `hash` complete: every node runs
 * exactly one pod, of `hash`, available; and the status says so for the
 * current generation (what `rollout status` waits for).
 */
export function isRolledOut(s: Sample, nodes: readonly string[], hash: string, minReadySeconds = 0): boolean {
  const st = s.status;
  const podsDone = nodes.every((n) => {
    const pods = s.byNode.get(n) ?? [];
    return pods.length === 1 && pods[0]!.hash === hash && isAvailable(pods[0]!, s.at, minReadySeconds);
  });
  return (
    podsDone &&
    st !== undefined &&
    (st.observedGeneration ?? 0) >= s.generation &&
    st.desiredNumberScheduled === nodes.length &&
    st.updatedNumberScheduled === nodes.length &&
    st.numberAvailable === nodes.length
  );
}

/** Each node's live pods in a sample, as `name uid hash`: what "not restarted" compares. */
export function podIdentities(s: Sample): Map<string, string[]> {
  return new Map([...s.byNode.keys()].map((n) => [n, livePods(s, n).map((p) => `${p.name} ${p.uid} ${p.hash}`)]));
}

/** One line per sample that breaks `check` (which returns a reason, or nothing when the sample is fine). */
export function violations(samples: readonly Sample[], check: (s: Sample, i: number) => string | undefined): string[] {
  const out: string[] = [];
  samples.forEach((s, i) => {
    const reason = check(s, i);
    if (reason !== undefined) out.push(`sample ${i} (+${s.at - samples[0]!.at} ms): ${reason}`);
  });
  return out;
}

/** Samples where more than `budget` of `nodes` lack a live pod available (for longer than `minReadySeconds`). */
export function unavailableOverBudget(samples: readonly Sample[], nodes: readonly string[], budget: number, minReadySeconds = 0): string[] {
  return violations(samples, (s) => {
    const down = unavailableNodes(s, nodes, minReadySeconds);
    return down.length > budget ? `${down.length} nodes > ${budget} without an available pod: ${down.join(' ')}` : undefined;
  });
}

/** Samples whose `status.numberUnavailable` exceeds `budget`: the status may lag the pods, but never breaks the budget. */
export function statusOverBudget(samples: readonly Sample[], budget: number): string[] {
  return violations(samples, (s) => {
    const unavailable = s.status?.numberUnavailable ?? 0;
    return unavailable > budget ? `status.numberUnavailable ${unavailable} > ${budget}` : undefined;
  });
}

/**
 * The most nodes the status may call available at sample `i`: those where a
 * pod seen in the last `slackMs` (terminating ones included, since the status
 * may predate their deletion by a pass) had been Ready longer than
 * `minReadySeconds` by the sample's time.
 */
export function availableUpperBound(samples: readonly Sample[], i: number, minReadySeconds: number, slackMs: number): number {
  const at = samples[i]!.at;
  const nodes = new Set<string>();
  for (let j = i; j >= 0 && samples[j]!.at >= at - slackMs; j--) {
    for (const [node, pods] of samples[j]!.byNode) {
      if (pods.some((p) => isAvailable(p, at, minReadySeconds))) nodes.add(node);
    }
  }
  return nodes.size;
}

/** The DaemonSet's current revision hash, once its latest generation has been observed. */
export async function currentHash(reader: ClusterReader, namespace: string, name: string): Promise<string> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    const ds = await reader.getDaemonSet(namespace, name);
    if (ds === undefined || (ds.status?.observedGeneration ?? 0) < (ds.metadata.generation ?? 0)) continue;
    const revisions = await reader.listRevisions(namespace, name);
    const hash = revisions.at(-1)?.metadata.labels?.['controller-revision-hash'];
    if (hash !== undefined) return hash;
  }
  throw new Error(`ds/${name}: no observed revision within 10 s`);
}
