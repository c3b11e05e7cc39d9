/**
 * Manifests for the rollout end-to-end tests: simulated nodes and a DaemonSet
 * whose template, strategy and pod annotations a test varies between applies,
 * written as multi-document YAML for `everynode apply -f`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** The simulated agent's annotations (docs/contract.md §5; on a pod they override the node's). */
export const Sim = {
  StartDelayMs: 'sim.everynode.io/start-delay-ms',
  FailPods: 'sim.everynode.io/fail-pods',
} as const;

/** `count` Ready nodes `node-01`…, each starting pods after `startDelayMs`. */
export function nodes(count: number, startDelayMs: number): object[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `node-${String(i + 1).padStart(2, '0')}`, annotations: { [Sim.StartDelayMs]: String(startDelayMs) } },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  }));
}

/** `spec.updateStrategy` as Kubernetes spells it. */
export type UpdateStrategy =
  | { readonly type: 'RollingUpdate'; readonly rollingUpdate: { readonly maxUnavailable?: number | string; readonly maxSurge?: number | string } }
  | { readonly type: 'OnDelete' };

export interface DaemonSetOptions {
  /** Default `agent`. */
  readonly name?: string;
  readonly image: string;
  readonly updateStrategy: UpdateStrategy;
  /** Default 0. */
  readonly minReadySeconds?: number;
  /** The pod template's annotations (e.g. `Sim.FailPods`). Default none. */
  readonly podAnnotations?: Record<string, string>;
}

/** A DaemonSet in `default` on every node; its pods are labelled `app: NAME`. */
export function daemonSet(options: DaemonSetOptions): object {
  const name = options.name ?? 'agent';
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name } },
      updateStrategy: options.updateStrategy,
      minReadySeconds: options.minReadySeconds ?? 0,
      template: {
        metadata: { labels: { app: name }, ...(options.podAnnotations ? { annotations: options.podAnnotations } : {}) },
        spec: { containers: [{ name, image: options.image }] },
      },
    },
  };
}

/** Write `objects` to `dir/file` as multi-document YAML; returns the path. */
export function writeManifest(dir: string, file: string, objects: readonly object[]): string {
  const path = join(dir, file);
  writeFileSync(path, objects.map((o) => stringify(o)).join('---\n'));
  return path;
}
