/**
 * What `label`, `taint`, `cordon` and `uncordon` do to a Node, as kubectl's
 * commands do it (pkg/cmd/label, pkg/cmd/taint, pkg/drain's cordon helper):
 * parse the arguments, change the object, and name the outcome in kubectl's
 * word. Pure — the commands read the node, call these, and write it back.
 */
import type { Node, Taint } from '@everynode/api';
import { isQualifiedName, isValidLabelValue } from '@everynode/api';
import { CliError } from './errors.ts';

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** apimachinery's `NewAggregate(errs).Error()`: one message alone, several in brackets. */
function aggregate(messages: readonly string[]): string {
  return messages.length === 1 ? (messages[0] as string) : `[${messages.join(', ')}]`;
}

/**
 * `cmdutil.GetResourcesAndPairs`: the arguments before the first change
 * (`k=v`, `k-`, `k=v:Effect`) name the objects, the rest are changes; an
 * object after a change is an error. `isChange` says which is which.
 */
export function splitResourcesAndChanges(args: readonly string[], isChange: (arg: string) => boolean, kind: 'label' | 'taint'): { resources: string[]; changes: string[] } {
  const resources: string[] = [];
  const changes: string[] = [];
  for (const arg of args) {
    if (isChange(arg)) changes.push(arg);
    else if (changes.length === 0) resources.push(arg);
    else throw new CliError(`error: all resources must be specified before ${kind} changes: ${arg}`);
  }
  return { resources, changes };
}

/** A label change, as `GetResourcesAndPairs` tells one: `k=v` (not starting with `=`) or `k-`. */
export function isLabelChange(arg: string): boolean {
  return (arg.includes('=') && !arg.startsWith('=')) || (arg.endsWith('-') && arg !== '-');
}

/** A taint change, as `kubectl taint` tells one: it has `=` or `:`, or ends in `-`. */
export function isTaintChange(arg: string): boolean {
  return arg.includes('=') || arg.includes(':') || arg.endsWith('-');
}

/** Labels to set and keys to remove. */
export interface LabelChanges {
  readonly set: Readonly<Record<string, string>>;
  readonly remove: readonly string[];
}

/** kubectl label's `parseLabels`. */
export function parseLabelChanges(specs: readonly string[]): LabelChanges {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const spec of specs) {
    if (spec.includes('=')) {
      const parts = spec.split('=');
      if (parts.length !== 2) throw new CliError(`error: invalid label spec: ${spec}`);
      const [key, value] = parts as [string, string];
      const problems = isValidLabelValue(value);
      if (problems.length > 0) throw new CliError(`error: invalid label value: ${JSON.stringify(spec)}: ${problems.join(';')}`);
      set[key] = value;
    } else if (spec.endsWith('-')) {
      remove.push(spec.slice(0, -1));
    } else {
      throw new CliError(`error: unknown label spec: ${spec}`);
    }
  }
  if (remove.some((key) => Object.hasOwn(set, key))) throw new CliError('error: can not both modify and remove a label in the same command');
  if (Object.keys(set).length === 0 && remove.length === 0) throw new CliError('error: at least one label update is required');
  return { set, remove };
}

/** The node after a label change, what kubectl says of it, and the removed keys it did not have. */
export interface LabelOutcome {
  readonly node: Node;
  readonly message: 'labeled' | 'unlabeled' | 'not labeled';
  readonly missing: readonly string[];
}

/**
 * kubectl's `labelFunc` and `updateDataChangeMsg`: changing a key's value
 * needs `overwrite`; the word is `labeled` for any change, `unlabeled` when
 * (without `overwrite`) the object got smaller, `not labeled` for none.
 */
export function applyLabelChanges(node: Node, changes: LabelChanges, overwrite: boolean): LabelOutcome {
  const old = node.metadata.labels ?? {};
  if (!overwrite) {
    const conflicts = Object.entries(changes.set)
      .filter(([key, value]) => Object.hasOwn(old, key) && old[key] !== value)
      .map(([key]) => `'${key}' already has a value (${old[key]}), and --overwrite is false`);
    if (conflicts.length > 0) throw new CliError(`error: ${aggregate(conflicts)}`);
  }
  const labels: Record<string, string> = { ...old, ...changes.set };
  for (const key of changes.remove) delete labels[key];
  const missing = changes.remove.filter((key) => !Object.hasOwn(old, key));
  const before = JSON.stringify(old);
  const after = JSON.stringify(labels);
  const changed = Object.keys(old).length !== Object.keys(labels).length || Object.entries(labels).some(([k, v]) => old[k] !== v);
  const message = !changed ? 'not labeled' : !overwrite && after.length < before.length ? 'unlabeled' : 'labeled';
  return { node: { ...node, metadata: { ...node.metadata, labels } }, message, missing };
}

/** kubectl's `Taint.ToString`: `k=v:Effect`, `k:Effect`, `k=v:`, `k`. */
export function taintText(taint: { key: string; value?: string | undefined; effect?: string | undefined }): string {
  const value = taint.value ? `=${taint.value}` : '';
  if (!taint.effect) return taint.value ? `${taint.key}${value}:` : taint.key;
  return `${taint.key}${value}:${taint.effect}`;
}

/** A taint spec as kubectl's `parseTaint` reads it: `k=v:Effect`, `k:Effect` or `k`. */
export function parseTaintSpec(spec: string): { key: string; value?: string; effect?: Taint['effect'] } {
  const parts = spec.split(':');
  if (parts.length > 2) throw new CliError(`error: invalid taint spec: ${spec}`);
  let key = parts[0] as string;
  let value: string | undefined;
  let effect: Taint['effect'] | undefined;
  if (parts.length === 2) {
    const named = parts[1] as string;
    if (!taintEffects.includes(named)) throw new CliError(`error: invalid taint effect: ${named}, unsupported taint effect`);
    effect = named as Taint['effect'];
    const keyValue = key.split('=');
    if (keyValue.length > 2) throw new CliError(`error: invalid taint spec: ${spec}`);
    key = keyValue[0] as string;
    if (keyValue.length === 2) {
      value = keyValue[1] as string;
      const problems = isValidLabelValue(value);
      if (problems.length > 0) throw new CliError(`error: invalid taint spec: ${spec}, ${problems.join('; ')}`);
    }
  }
  const problems = isQualifiedName(key);
  if (problems.length > 0) throw new CliError(`error: invalid taint spec: ${spec}, ${problems.join('; ')}`);
  return { key, ...(value !== undefined ? { value } : {}), ...(effect !== undefined ? { effect } : {}) };
}

/** Taints to add (with an effect) and to remove (effect optional: all of a key). */
export interface TaintChanges {
  readonly add: readonly Taint[];
  readonly remove: readonly { key: string; effect?: Taint['effect'] }[];
}

/** kubectl's `ParseTaints` plus the checks of `TaintOptions.validateFlags`. */
export function parseTaintChanges(specs: readonly string[]): TaintChanges {
  const add: Taint[] = [];
  const remove: { key: string; effect?: Taint['effect'] }[] = [];
  for (const spec of specs) {
    if (spec.endsWith('-')) {
      const { key, effect } = parseTaintSpec(spec.slice(0, -1));
      remove.push(effect === undefined ? { key } : { key, effect });
      continue;
    }
    const taint = parseTaintSpec(spec);
    if (taint.effect === undefined) throw new CliError(`error: invalid taint spec: ${spec}`);
    if (add.some((t) => t.key === taint.key && t.effect === taint.effect)) {
      throw new CliError(`error: duplicated taints with the same key and effect: ${taintText(taint)}`);
    }
    add.push(taint as Taint);
  }
  if (add.length === 0 && remove.length === 0) throw new CliError('error: at least one taint update is required');
  const conflicts = remove.filter((r) => add.some((a) => a.key === r.key && (r.effect === undefined || r.effect === a.effect)));
  if (conflicts.length > 0) {
    throw new CliError(`error: can not both modify and remove the following taint(s) in the same command: ${conflicts.map(taintText).join(', ')}`);
  }
  return { add, remove };
}

/** The node after a taint change and kubectl's word for it. */
export interface TaintOutcome {
  readonly node: Node;
  readonly message: 'tainted' | 'untainted' | 'modified';
}

/**
 * kubectl's `updateTaints` and `reorganizeTaints`: without `overwrite`, a
 * key+effect the node already has is an error; the new taints come first,
 * then the old ones they do not replace; removing a taint the node lacks
 * is an error (and nothing is written).
 */
export function applyTaintChanges(node: Node, changes: TaintChanges, overwrite: boolean): TaintOutcome {
  const old = node.spec?.taints ?? [];
  const name = node.metadata.name;
  if (!overwrite) {
    const existing = changes.add.filter((t) => old.some((o) => o.key === t.key && o.effect === t.effect)).map((t) => t.key);
    if (existing.length > 0) throw new CliError(`error: node ${name} already has ${existing.join(',')} taint(s) with same effect(s) and --overwrite is false`);
  }
  let taints: Taint[] = [...changes.add];
  for (const o of old) if (!taints.some((t) => t.key === o.key && t.effect === o.effect)) taints.push(o);
  const added = old.length !== taints.length;
  const notFound: string[] = [];
  let removed = false;
  for (const r of changes.remove) {
    const kept = taints.filter((t) => !(t.key === r.key && (r.effect === undefined || t.effect === r.effect)));
    // As kubectl's `deleteTaints`, the outcome reads the last removal only.
    removed = kept.length !== taints.length;
    if (!removed) notFound.push(`taint ${JSON.stringify(taintText(r))} not found`);
    taints = kept;
  }
  if (notFound.length > 0) throw new CliError(`error: ${aggregate(notFound)}`);
  const message = (added && removed) || overwrite ? 'modified' : added ? 'tainted' : 'untainted';
  // No taints left: the field goes, as Go's `omitempty` drops an empty list.
  const { taints: _old, ...rest } = node.spec ?? {};
  return { node: { ...node, spec: taints.length === 0 ? rest : { ...rest, taints } }, message };
}

/**
 * The cordon helper: `spec.unschedulable` set (cordon) or cleared
 * (uncordon, which drops the field as Go's `omitempty` does); `changed`
 * false when the node already is as asked.
 */
export function setUnschedulable(node: Node, desired: boolean): { node: Node; changed: boolean } {
  const current = node.spec?.unschedulable === true;
  if (current === desired) return { node, changed: false };
  const { unschedulable: _old, ...spec } = node.spec ?? {};
  return { node: { ...node, spec: desired ? { ...spec, unschedulable: true } : spec }, changed: true };
}
