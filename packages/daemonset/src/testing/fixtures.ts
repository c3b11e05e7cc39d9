/**
 * Test-only builders for minimal Kubernetes objects, after the helpers of
 * pkg/controller/daemon/daemon_controller_test.go (`newNode`, `newDaemonSet`,
 * `newPod`). Deterministic: names and uids derive from the arguments, never
 * from a clock or randomness, so tests can compare whole objects.
 */
import { TemplateGenerationAnnotation, type DaemonSet, type Node, type Pod, type PodSpec } from '@everynode/api';

/** Labels of the template (and selector) of `newDaemonSet` — upstream `simpleDaemonSetLabel`. */
export const simpleDaemonSetLabel: Readonly<Record<string, string>> = { name: 'simple-daemon', type: 'production' };
/** Same name, other type: pods with these labels are not selected — upstream `simpleDaemonSetLabel2`. */
export const simpleDaemonSetLabel2: Readonly<Record<string, string>> = { name: 'simple-daemon', type: 'test' };
/** Node labels a `nodeSelector` can pick — upstream `simpleNodeLabel`. */
export const simpleNodeLabel: Readonly<Record<string, string>> = { color: 'blue', speed: 'fast' };
/** Other node labels — upstream `simpleNodeLabel2`. */
export const simpleNodeLabel2: Readonly<Record<string, string>> = { color: 'red', speed: 'fast' };

/**
 * A Ready node with `labels` (none when omitted), no taints, schedulable.
 * Add taints or conditions by spreading: `{ ...newNode('n'), spec: { taints } }`.
 */
export function newNode(name: string, labels?: Readonly<Record<string, string>>): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, ...(labels === undefined ? {} : { labels: { ...labels } }) },
    spec: {},
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/**
 * A DaemonSet in namespace `default` selecting `simpleDaemonSetLabel`, as
 * stored after defaulting: uid `uid-<name>`, generation 1, template generation
 * annotation `"1"`, RollingUpdate with `maxUnavailable: 1` and `maxSurge: 0`,
 * `revisionHistoryLimit: 10`. One container, image `foo/bar`; no node
 * selector, affinity or tolerations.
 */
export function newDaemonSet(name: string): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      generation: 1,
      annotations: { [TemplateGenerationAnnotation]: '1' },
    },
    spec: {
      selector: { matchLabels: { ...simpleDaemonSetLabel } },
      template: {
        metadata: { labels: { ...simpleDaemonSetLabel } },
        spec: { containers: [{ name: 'main', image: 'foo/bar' }] },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      minReadySeconds: 0,
      revisionHistoryLimit: 10,
    },
  };
}

/**
 * A pod named `name` in `default` with `labels`, bound to `nodeName` (unbound
 * when `""`). Given `ds`, its spec is the DaemonSet template's and it is
 * controlled by `ds` (upstream also adds the revision hash label; add it
 * yourself where a test needs it). Without `ds` it is an orphan with one
 * `foo/bar` container.
 */
export function newPod(name: string, nodeName: string, labels: Readonly<Record<string, string>>, ds?: DaemonSet): Pod {
  // A deep copy, so a test that edits the pod never edits the DaemonSet.
  const spec: PodSpec =
    ds === undefined ? { containers: [{ name: 'main', image: 'foo/bar' }] } : (JSON.parse(JSON.stringify(ds.spec.template.spec)) as PodSpec);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ds?.metadata.namespace ?? 'default',
      labels: { ...labels },
      ...(ds === undefined
        ? {}
        : {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name ?? '', uid: ds.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
            ],
          }),
    },
    spec: nodeName === '' ? spec : { ...spec, nodeName },
  };
}
