/**
 * The node annotations that steer the simulated agent (CONTRACT §5), and how
 * a node's annotations turn into its simulated behaviour. Pure.
 */

export const SimAnnotation = {
  /** Milliseconds between a pod's create command and its status report. */
  StartDelayMs: 'sim.everynode.io/start-delay-ms',
  /** `"true"`: every pod started on the node reports `Failed`. */
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
