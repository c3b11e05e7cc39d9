/**
 * The pod a DaemonSet creates on a node: `util.CreatePodTemplate` +
 * `controller.GetPodFromTemplate` (pkg/controller/daemon/util/daemonset_util.go,
 * pkg/controller/controller_utils.go), with a deterministic name and uid so
 * that replaying the log creates the very same pods.
 */
import {
  ControllerRevisionHashLabel,
  type DaemonSet,
  type OwnerReference,
  type Pod,
  PodTemplateGenerationLabel,
  TemplateGenerationAnnotation,
} from '@everynode/api';
import { deterministicUid, fnv32a, SAFE_ALPHABET } from './hash.ts';
import { replaceDaemonSetPodNodeNameNodeAffinity } from './node-affinity.ts';
import { timestamp } from './pod-util.ts';
import type { Millis } from './state.ts';
import { daemonTolerationsOf } from './tolerations.ts';

/** `metav1.NewControllerRef(ds, apps/v1 DaemonSet)`. */
export function controllerRef(ds: DaemonSet): OwnerReference {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    name: ds.metadata.name ?? '',
    uid: ds.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Names a DaemonSet can give its pods: 27^5 five-character suffixes. */
const nameSpace = SAFE_ALPHABET.length ** 5;
/** A multiplier prime to 27^5, so `sequence → suffix` is a permutation: no two pods share a name. */
const spread = 7_777_777;

/**
 * `<ds>-<5 chars>` for the `sequence`-th pod of the DaemonSet. Distinct
 * sequences give distinct names (for the first 27^5 pods), so a pass needs
 * no look-up to avoid a clash with its own pods; a name `taken` by a pod from
 * elsewhere is skipped (the apiserver would refuse it; it retries with new
 * random chars, we with the next offset — deterministically).
 */
export function daemonPodName(ds: DaemonSet, sequence: number, taken: (name: string) => boolean): string {
  return podNameAt(ds.metadata.name ?? '', nameOffsetOf(ds), sequence, taken);
}

/** Where a DaemonSet's names start in the permutation: from its uid. */
function nameOffsetOf(ds: DaemonSet): number {
  return fnv32a(ds.metadata.uid ?? '') % nameSpace;
}

function podNameAt(base: string, offset: number, sequence: number, taken: (name: string) => boolean): string {
  for (let salt = 0; ; salt++) {
    const index = (((sequence + salt * 1_000_003) % nameSpace) * spread + offset) % nameSpace;
    const name = `${base}-${suffix(index)}`;
    if (!taken(name)) return name;
  }
}

/** `index` in base 27, five digits from the alphabet Kubernetes uses for generated names. */
function suffix(index: number): string {
  let out = '';
  let rest = index;
  for (let i = 0; i < 5; i++) {
    out = SAFE_ALPHABET[rest % SAFE_ALPHABET.length] + out;
    rest = Math.floor(rest / SAFE_ALPHABET.length);
  }
  return out;
}

export interface NewDaemonPodInput {
  readonly ds: DaemonSet;
  readonly nodeName: string;
  /** The current revision's hash (`controller-revision-hash`). */
  readonly hash: string;
  /** The DaemonSet's pod counter; the name and uid derive from it. */
  readonly sequence: number;
  readonly now: Millis;
  readonly nameTaken: (name: string) => boolean;
}

/** The pod to create on `nodeName`: Pending, not yet bound (the scheduler binds it). */
export function newDaemonPod({ ds, nodeName, hash, sequence, now, nameTaken }: NewDaemonPodInput): Pod {
  return daemonPodMaker(ds, hash, now)(nodeName, sequence, nameTaken);
}

/**
 * `newDaemonPod` for many nodes of one DaemonSet, revision and time: what
 * all its pods have alike (labels, annotations, owner, the name's offset,
 * the timestamp) is made once and shared by every pod it makes — nothing
 * mutates a pod in place, and a pass creating 10,000 pods must not make the
 * same labels 10,000 times. Each pod's JSON is `newDaemonPod`'s.
 */
export function daemonPodMaker(ds: DaemonSet, hash: string, now: Millis): (nodeName: string, sequence: number, nameTaken: (name: string) => boolean) => Pod {
  const template = ds.spec.template;
  const labels: Record<string, string> = { ...template.metadata?.labels, [ControllerRevisionHashLabel]: hash };
  const templateGeneration = ds.metadata.annotations?.[TemplateGenerationAnnotation];
  if (templateGeneration !== undefined) labels[PodTemplateGenerationLabel] = templateGeneration;
  const base = ds.metadata.name ?? '';
  const offset = nameOffsetOf(ds);
  const generateName = `${ds.metadata.name}-`;
  const namespace = ds.metadata.namespace ?? 'default';
  const dsUid = ds.metadata.uid ?? '';
  const creationTimestamp = timestamp(now);
  const templateAnnotations = template.metadata?.annotations;
  const annotations = templateAnnotations ? { annotations: { ...templateAnnotations } } : {};
  const ownerReferences = [controllerRef(ds)];
  const tolerations = daemonTolerationsOf(template.spec);
  return (nodeName, sequence, nameTaken) => {
    const name = podNameAt(base, offset, sequence, nameTaken);
    // Shares the template's nested objects (containers, volumes …): nothing mutates a pod in place,
    // and a pass creating 10,000 pods must not deep-copy the template 10,000 times.
    const spec = {
      ...template.spec,
      tolerations,
      affinity: replaceDaemonSetPodNodeNameNodeAffinity(template.spec.affinity, nodeName),
    };
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        generateName,
        namespace,
        uid: deterministicUid([dsUid, 'pod', String(sequence)]),
        creationTimestamp,
        labels,
        ...annotations,
        ownerReferences,
      },
      spec,
      status: { phase: 'Pending' },
    };
  };
}

/**
 * The pod `newDaemonPod` gives on `nodeName`, named `name` with uid `uid`,
 * from `like` — another pod it gave in the same pass (same DaemonSet,
 * revision and time): daemon pods of one pass differ only in those three
 * (the node is in the required node affinity, which
 * `replaceDaemonSetPodNodeNameNodeAffinity` replaces whole). The log stores a
 * pass's creations this way (`@everynode/eventlog`'s upcast.ts). Shares
 * `like`'s nested objects, as `newDaemonPod` shares the template's.
 */
export function daemonPodLike(like: Pod, nodeName: string, name: string, uid: string): Pod {
  return {
    ...like,
    metadata: { ...like.metadata, name, uid },
    spec: { ...like.spec, affinity: replaceDaemonSetPodNodeNameNodeAffinity(like.spec.affinity, nodeName) },
  };
}
