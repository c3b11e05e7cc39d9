/**
 * List filters as the API server reads them: `labelSelector`
 * (apimachinery `labels.Parse`: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k`, `!k`) turned into a `metav1.LabelSelector` so that
 * `selectorMatches` decides membership exactly as the controller does; and
 * `fieldSelector` (`fields.ParseSelector`: `f=v`, `f==v`, `f!=v`) over the
 * few fields each resource supports, as kubectl uses it
 * (`metadata.name=X` for `get`/`wait`, `spec.nodeName=X` for `describe node`).
 */
import {
  isQualifiedName,
  isValidLabelValue,
  type LabelSelector,
  type LabelSelectorRequirement,
  selectorMatches,
} from '@everynode/api';
import { badRequest, StatusError } from './status.ts';

/** What a list item looks like to a filter. */
export interface Listed {
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
}

/** The fields a resource lets a `fieldSelector` read, by field path. */
export type SelectableFields<T> = Readonly<Record<string, (item: T) => string | undefined>>;

/** Every resource supports these two (`generic.ObjectMetaFieldsSet`). */
export const metadataFields: SelectableFields<Listed> = {
  'metadata.name': (item) => item.metadata.name,
  'metadata.namespace': (item) => item.metadata.namespace,
};

/** Split on commas outside parentheses: `a in (x,y),b` is two requirements. */
function splitOutsideParens(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

const key = String.raw`[A-Za-z0-9][-A-Za-z0-9_./]*`;
const setForm = new RegExp(String.raw`^(${key})\s+(in|notin)\s*\(([^()]*)\)$`);
const equalityForm = new RegExp(String.raw`^(${key})\s*(==|=|!=)\s*([^\s=!(),]*)$`);
const existsForm = new RegExp(String.raw`^(!?)\s*(${key})$`);

function unparseable(part: string, whole: string, why?: string): StatusError {
  const reason = why ? `: ${why}` : '';
  return new StatusError(badRequest(`unable to parse requirement ${JSON.stringify(part)} in labelSelector ${JSON.stringify(whole)}${reason}`));
}

/** One requirement; `k!=v` becomes NotIn, which (like upstream's `!=`) also holds when `k` is absent. */
function requirementOf(part: string, whole: string): LabelSelectorRequirement {
  const set = setForm.exec(part);
  const equality = set ? null : equalityForm.exec(part);
  const exists = set || equality ? null : existsForm.exec(part);
  let requirement: LabelSelectorRequirement;
  if (set) {
    const values = (set[3] as string).split(',').map((v) => v.trim());
    requirement = { key: set[1] as string, operator: set[2] === 'in' ? 'In' : 'NotIn', values };
  } else if (equality) {
    requirement = { key: equality[1] as string, operator: equality[2] === '!=' ? 'NotIn' : 'In', values: [equality[3] as string] };
  } else if (exists) {
    requirement = { key: exists[2] as string, operator: exists[1] === '!' ? 'DoesNotExist' : 'Exists' };
  } else {
    throw unparseable(part, whole);
  }
  const problems = [...isQualifiedName(requirement.key), ...(requirement.values ?? []).flatMap(isValidLabelValue)];
  if (problems.length > 0) throw unparseable(part, whole, problems.join('; '));
  return requirement;
}

/** The `metav1.LabelSelector` a `labelSelector` query means; empty text selects everything. */
export function parseLabelSelector(text: string): LabelSelector {
  if (text.trim() === '') return {};
  return { matchExpressions: splitOutsideParens(text).map((part) => requirementOf(part, text)) };
}

/** One `field=value` / `field!=value` term of a field selector. */
interface FieldRequirement {
  readonly field: string;
  readonly equals: boolean;
  readonly value: string;
}

/** Split on unescaped commas; `\,` `\=` `\\` are escapes, as in `fields.ParseSelector`. */
function splitFieldSelector(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '\\' && i + 1 < text.length) {
      current += char + (text[++i] as string);
    } else if (char === ',') {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts.filter((p) => p.trim() !== '');
}

const unescape = (s: string) => s.replace(/\\(.)/g, '$1');

function fieldRequirementOf(part: string, whole: string): FieldRequirement {
  // The operator is the first unescaped `!=`, `==` or `=`.
  const match = /^((?:[^\\=!]|\\.)*?)(!=|==|=)(.*)$/.exec(part);
  if (!match) throw new StatusError(badRequest(`invalid selector: ${JSON.stringify(whole)}; can't understand ${JSON.stringify(part)}`));
  return { field: (match[1] as string).trim(), equals: match[2] !== '!=', value: unescape(match[3] as string) };
}

/**
 * A predicate for a `fieldSelector` over `fields`; a field the resource does
 * not support is a 400 `field label not supported: X`, as upstream answers.
 */
export function parseFieldSelector<T>(text: string, fields: SelectableFields<T>): (item: T) => boolean {
  const requirements = splitFieldSelector(text).map((part) => fieldRequirementOf(part, text));
  for (const r of requirements) {
    if (!Object.hasOwn(fields, r.field)) throw new StatusError(badRequest(`field label not supported: ${r.field}`));
  }
  return (item) =>
    requirements.every((r) => {
      const actual = (fields[r.field] as (item: T) => string | undefined)(item) ?? '';
      return r.equals ? actual === r.value : actual !== r.value;
    });
}

/** The selectors of a list or watch query. */
export interface SelectorQuery {
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
}

/**
 * Whether an item is one both selectors select (absent selectors select
 * everything); a selector that does not parse is a 400 here, before any read.
 */
export function selectorOf<T extends Listed>(query: SelectorQuery, fields: SelectableFields<T>): (item: T) => boolean {
  const labels = query.labelSelector === undefined ? undefined : parseLabelSelector(query.labelSelector);
  const byField = query.fieldSelector === undefined ? undefined : parseFieldSelector(query.fieldSelector, fields);
  return (item) => (labels === undefined || selectorMatches(labels, item.metadata.labels)) && (byField?.(item) ?? true);
}

/** The items of a list that both selectors select (absent selectors select everything). */
export function filterList<T extends Listed>(items: readonly T[], query: SelectorQuery, fields: SelectableFields<T>): T[] {
  return items.filter(selectorOf(query, fields));
}
