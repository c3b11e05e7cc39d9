/**
 * How objects leave the server: each carries its `apiVersion` and `kind`
 * first (kubectl and `-o json` expect them), and lists are Kubernetes
 * `…List` objects. everynode has no watch cache, so list `resourceVersion`
 * is empty, which kubectl reads as "no consistent snapshot to resume from".
 */
import type { KubeList } from '@everynode/api';

/** `object` with `apiVersion` and `kind` set (and first), whatever it carried. */
export function typed<T extends object>(apiVersion: string, kind: string, object: T): T & { apiVersion: string; kind: string } {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object as T & { apiVersion?: unknown; kind?: unknown };
  return { apiVersion, kind, ...rest } as T & { apiVersion: string; kind: string };
}

/** A `<kind>List` of `items`, each typed as `<kind>`. */
export function listOf<T extends object>(apiVersion: string, kind: string, items: readonly T[]): KubeList<T> {
  return { apiVersion, kind: `${kind}List`, metadata: { resourceVersion: '' }, items: items.map((item) => typed(apiVersion, kind, item)) };
}
