/**
 * Which nodes run a daemon pod: the DaemonSet controller's
 * `NodeShouldRunDaemonPod` (pkg/controller/daemon/daemon_controller.go).
 *
 * Only the template's `nodeName`, its required node affinity and the node's
 * taints decide. Resources, host ports and pod affinity are the scheduler's
 * business; readiness and cordon count only as the taints they imply
 * (`effectiveTaints`, docs/contract.md §1).
 */
import type { DaemonSet, Node, TaintEffect } from '@everynode/api';
import { requiredNodeAffinityMatches } from './node-affinity.ts';
import { effectiveTaints } from './node-taints.ts';
import { findUntoleratedTaint, daemonTolerationsOf } from './tolerations.ts';

/** What a node means for a DaemonSet. */
export interface NodeEligibility {
  /** A daemon pod should be created on the node if it has none. */
  readonly shouldRun: boolean;
  /** A daemon pod already on the node may stay. */
  readonly shouldContinueRunning: boolean;
}

/** The taint effects that keep a daemon pod off a node; `PreferNoSchedule` is only a preference. */
const schedulingEffects: readonly TaintEffect[] = ['NoSchedule', 'NoExecute'];
const evictingEffects: readonly TaintEffect[] = ['NoExecute'];

/**
 * Whether `node` should run a pod of `ds` — `NodeShouldRunDaemonPod` with its
 * `predicates`:
 * - a template `nodeName` naming another node, or a required node affinity /
 *   `nodeSelector` the node does not satisfy → neither;
 * - every NoSchedule and NoExecute taint tolerated (the template's tolerations
 *   plus the automatic daemon ones, as `NewPod` builds them) → both;
 * - otherwise no new pod, and an existing one stays unless a NoExecute taint
 *   is untolerated.
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeEligibility {
  // A pass asks this several times per node (manage, rollingUpdate, status): answer once per
  // (node, template) object pair. Objects are never mutated, so identity is a safe key.
  let perTemplate = answers.get(node);
  if (perTemplate === undefined) answers.set(node, (perTemplate = new WeakMap()));
  let answer = perTemplate.get(ds.spec.template);
  if (answer === undefined) perTemplate.set(ds.spec.template, (answer = decideEligibility(node, ds)));
  return answer;
}

const answers = new WeakMap<Node, WeakMap<DaemonSet['spec']['template'], NodeEligibility>>();

function decideEligibility(node: Node, ds: DaemonSet): NodeEligibility {
  const spec = ds.spec.template.spec;
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!requiredNodeAffinityMatches(spec, node)) return { shouldRun: false, shouldContinueRunning: false };

  const taints = effectiveTaints(node);
  const tolerations = daemonTolerationsOf(spec);
  if (findUntoleratedTaint(taints, tolerations, schedulingEffects) === undefined) {
    return { shouldRun: true, shouldContinueRunning: true };
  }
  return { shouldRun: false, shouldContinueRunning: findUntoleratedTaint(taints, tolerations, evictingEffects) === undefined };
}
