/**
 * The annotations that steer the simulated agent (docs/contract.md §5), on a node or
 * on a pod (from its DaemonSet's pod template), and how they turn into a
 * pod's simulated behaviour. Pure.
 */

export const SimAnnotation = {
  /** Milliseconds between a pod's create command and its status report; a pod's own overrides its node's. */
  StartDelayMs: 'sim.everynode.io/start-delay-ms',
  /** `"true"` on a node: every pod started there reports `Failed`; on a pod: that pod does. */
  FailPods: 'sim.everynode.io/fail-pods',
} as const;
export type SimAnnotation = (typeof SimAnnotation)[keyof typeof SimAnnotation];

/** How pods behave on one simulated node. */
export interface NodeBehaviour {
  readonly startDelayMs: number;
  readonly failPods: boolean;
}

export interface BehaviourReading {
  readonly behaviour: NodeBehaviour;
  /** Set when an annotation was present but unusable and the default was taken instead. */
  readonly warning?: string;
}

/**
 * The behaviour `annotations` ask for. A start delay that is not a
 * non-negative integer falls back to `defaultStartDelayMs` with a warning:
 * a typo on a node should slow nothing down, but should not go unnoticed.
 */
export function behaviourOf(annotations: Readonly<Record<string, string>> | undefined, defaultStartDelayMs: number): BehaviourReading {
  const failPods = annotations?.[SimAnnotation.FailPods] === 'true';
  const rawDelay = annotations?.[SimAnnotation.StartDelayMs];
  if (rawDelay === undefined) return { behaviour: { startDelayMs: defaultStartDelayMs, failPods } };
  const delay = /^\d+$/.test(rawDelay.trim()) ? Number(rawDelay.trim()) : Number.NaN;
  if (!Number.isSafeInteger(delay)) {
    return {
      behaviour: { startDelayMs: defaultStartDelayMs, failPods },
      warning: `${SimAnnotation.StartDelayMs}: ${JSON.stringify(rawDelay)} is not a non-negative integer; using ${defaultStartDelayMs}`,
    };
  }
  return { behaviour: { startDelayMs: delay, failPods } };
}

/**
 * The behaviour of one pod: its own annotations over its node's, so a test
 * can roll out "a template whose pods fail" or "pods slow to become Ready".
 * The pod fails when either asks for it (a failing node fails every pod
 * started there, docs/contract.md §5); the pod's start delay, when usable, overrides
 * the node's, which in turn overrides `defaultStartDelayMs`.
 */
export function podBehaviourOf(
  nodeAnnotations: Readonly<Record<string, string>> | undefined,
  podAnnotations: Readonly<Record<string, string>> | undefined,
  defaultStartDelayMs: number,
): BehaviourReading {
  const onNode = behaviourOf(nodeAnnotations, defaultStartDelayMs);
  const own = behaviourOf(podAnnotations, onNode.behaviour.startDelayMs);
  const warnings = [onNode.warning, own.warning].filter((w) => w !== undefined);
  return {
    behaviour: { startDelayMs: own.behaviour.startDelayMs, failPods: onNode.behaviour.failPods || own.behaviour.failPods },
    ...(warnings.length > 0 ? { warning: warnings.join('; ') } : {}),
  };
}
