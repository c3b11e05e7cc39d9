/**
 * How objects leave the server: each carries its `apiVersion` and `kind`
 * first (kubectl and `-o json` expect them), and lists are Kubernetes
 * `…List` objects whose `resourceVersion` is the log's last seq when they
 * were read (each object's is the seq of the entry that last changed it).
 */
import type { KubeList, Node } from '@everynode/api';
import { deterministicUid } from '@everynode/daemonset';

/** `object` with `apiVersion` and `kind` set (and first), whatever it carried. */
export function typed<T extends object>(apiVersion: string, kind: string, object: T): T & { apiVersion: string; kind: string } {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object as T & { apiVersion?: unknown; kind?: unknown };
  return { apiVersion, kind, ...rest } as T & { apiVersion: string; kind: string };
}

/** List metadata: the resourceVersion, and where the next page starts when there is one. */
export type ListMeta = {
  readonly resourceVersion: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
};

/** A `<kind>List` of `items`, each typed as `<kind>`; `metadata` defaults to an empty resourceVersion (a list of the past). */
export function listOf<T extends object>(apiVersion: string, kind: string, items: readonly T[], metadata: ListMeta = { resourceVersion: '' }): KubeList<T> {
  return { apiVersion, kind: `${kind}List`, metadata, items: items.map((item) => typed(apiVersion, kind, item)) };
}

/**
 * A node with a `metadata.uid`: nodes come from agents' events, which name
 * none, so it is derived from the node's name and creation time — stable
 * while the node lives, another after it leaves and joins again.
 */
export function withNodeUid(node: Node): Node {
  if (node.metadata.uid !== undefined) return node;
  const uid = deterministicUid(['node', node.metadata.name, node.metadata.creationTimestamp ?? '']);
  return { ...node, metadata: { ...node.metadata, uid } };
}
