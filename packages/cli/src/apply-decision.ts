/**
 * kubectl's verdict for one applied object — `created`, `configured` or
 * `unchanged` — decided by comparing the manifest with the live object.
 * kubectl diffs against its last-applied annotation; everynode keeps no such
 * annotation, so what the user owns is compared instead: labels,
 * annotations (minus those servers add), `spec` (both sides defaulted), and
 * for Nodes the status conditions the manifest states.
 */
import type { DaemonSet, Node } from '@everynode/api';
import { TemplateGenerationAnnotation, withDaemonSetDefaults } from '@everynode/api';
import type { Manifest } from './manifests.ts';

export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

/** Annotations the server or kubectl write, never the user. */
const serverAnnotations = new Set([TemplateGenerationAnnotation, 'kubectl.kubernetes.io/last-applied-configuration']);

/** What applying `manifest` would do to `live` (undefined: it does not exist yet). */
export function applyOutcome(manifest: Manifest, live: DaemonSet | Node | undefined): ApplyOutcome {
  if (live === undefined) return 'created';
  return isUnchanged(manifest, live) ? 'unchanged' : 'configured';
}

function isUnchanged(manifest: Manifest, live: DaemonSet | Node): boolean {
  const desired = manifest.value;
  const sameMeta =
    semanticEqual(desired.metadata.labels, live.metadata.labels) &&
    semanticEqual(userAnnotations(desired.metadata.annotations), userAnnotations(live.metadata.annotations));
  if (!sameMeta) return false;
  if (manifest.kind === 'DaemonSet') {
    // Default the live spec too: equal whether the server stores the spec defaulted or as sent.
    return semanticEqual(manifest.value.spec, withDaemonSetDefaults(live as DaemonSet).spec);
  }
  const node = live as Node;
  // Status is reported, not owned: only what the manifest states must already hold.
  return semanticEqual(manifest.value.spec, node.spec) && contains(node.status, manifest.value.status);
}

function userAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([key]) => !serverAnnotations.has(key)));
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/** Deep equality of JSON data where an absent field, `null`, `{}` and `[]` are all "unset", as Kubernetes reads them. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => semanticEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Whether everything `part` states holds in `whole` (extra fields in `whole` are fine; lists must match item by item). */
export function contains(whole: unknown, part: unknown): boolean {
  if (isEmpty(part)) return true;
  if (typeof part !== 'object' || part === null) return whole === part;
  if (typeof whole !== 'object' || whole === null || Array.isArray(part) !== Array.isArray(whole)) return false;
  if (Array.isArray(part)) {
    const list = whole as unknown[];
    return list.length === part.length && part.every((item, i) => contains(list[i], item));
  }
  return Object.entries(part).every(([k, v]) => contains((whole as Record<string, unknown>)[k], v));
}
