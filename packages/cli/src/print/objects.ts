/**
 * `-o json`, `-o yaml` and `-o name`, as cli-runtime's printers write them:
 * keys in sorted order at every level (kubectl prints unstructured maps,
 * which Go marshals sorted), JSON indented by 4, a collection wrapped in a
 * `v1 List`.
 */
import { yaml } from '../yaml.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A deep copy of `value` with object keys sorted, as Go marshals a map. */
export function sortKeys(value: unknown): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value as Json;
}

/** A collection as `kubectl get -o json|yaml` prints it: `{apiVersion: v1, kind: List, items, metadata: {resourceVersion: ""}}`. */
export function asList(items: readonly unknown[]): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } };
}

/** `-o json`: 4-space indented, newline-terminated. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 4)}\n`;
}

/** `-o yaml`: block style, sequences not indented under their key, no line folding (as go-yaml writes it). */
export function toYaml(value: unknown): string {
  return yaml().stringify(sortKeys(value), { indentSeq: false, lineWidth: 0 });
}
