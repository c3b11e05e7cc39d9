/**
 * Label selectors (`metav1.LabelSelector`) and label formatting, as
 * apimachinery's `labels` package and kubectl print them.
 */
import type { LabelSelector } from './daemonset.ts';

export type Labels = Readonly<Record<string, string>>;

/**
 * Whether `labels` satisfy `selector` (`metav1.LabelSelectorAsSelector(...).Matches`).
 * An empty selector matches everything; a nil (undefined) one matches nothing.
 * An unknown operator makes the selector match nothing, as a parse error does upstream.
 */
export function selectorMatches(selector: LabelSelector | undefined, labels: Labels | undefined): boolean {
  if (selector === undefined) return false;
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(have, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!present || !values.includes(have[req.key] as string)) return false;
        break;
      case 'NotIn':
        if (present && values.includes(have[req.key] as string)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Whether a selector selects everything (`{}`), which a DaemonSet may not have. */
export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return (
    selector !== undefined &&
    Object.keys(selector.matchLabels ?? {}).length === 0 &&
    (selector.matchExpressions ?? []).length === 0
  );
}

/** `labels.FormatLabels`: `k=v,k2=v2` sorted by key, `<none>` when empty. */
export function formatLabels(labels: Labels | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${(labels as Labels)[k]}`).join(',');
}

/**
 * `metav1.FormatLabelSelector`: `app=x,tier in (a,b),!gone` — requirements of
 * `matchLabels` and `matchExpressions` together, sorted by key as the
 * selector's `String()` sorts them; `<none>` for an empty selector,
 * `<error>` for an unparseable one.
 */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  if (selector === undefined) return '<none>';
  const parts: [string, string][] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => [key, `${key}=${value}`]);
  for (const req of selector.matchExpressions ?? []) {
    const values = [...(req.values ?? [])].sort().join(',');
    switch (req.operator) {
      case 'In':
        parts.push([req.key, `${req.key} in (${values})`]);
        break;
      case 'NotIn':
        parts.push([req.key, `${req.key} notin (${values})`]);
        break;
      case 'Exists':
        parts.push([req.key, req.key]);
        break;
      case 'DoesNotExist':
        parts.push([req.key, `!${req.key}`]);
        break;
      default:
        return '<error>';
    }
  }
  if (parts.length === 0) return '<none>';
  return parts
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, text]) => text)
    .join(',');
}
