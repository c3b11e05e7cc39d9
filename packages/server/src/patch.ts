/**
 * PATCH bodies applied to a stored object, as the API server applies them
 * (apiserver `endpoints/handlers/patch.go`): JSON patch (RFC 6902, by
 * fast-json-patch), JSON merge patch (RFC 7386), and strategic merge patch —
 * the apply side of apimachinery's `strategicpatch` (`mergeMap`), with the
 * `patchStrategy`/`patchMergeKey` tags of k8s.io/api for the Node, DaemonSet
 * and pod template fields everynode serves (`patchFields`) — and server-side
 * apply, merged as a strategic merge patch (see `applyConfiguration`).
 * Pure: the stored object is never changed.
 *
 * A malformed patch is a 400; one that cannot be applied to this object (a
 * failed `test`, a path that is not there) a 422, as upstream answers.
 */
import jsonPatch, { type Operation } from 'fast-json-patch';
import { badRequest, failure, StatusError } from './status.ts';

/** The PATCH media types served, in the order a 415 names them. */
export const PatchType = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  /** Server-side apply: the body is the applier's whole configuration (YAML, or JSON as kubectl sends it). */
  apply: 'application/apply-patch+yaml',
} as const;
export type PatchType = (typeof PatchType)[keyof typeof PatchType];
export const patchTypes: readonly PatchType[] = Object.values(PatchType);

type Json = null | boolean | number | string | Json[] | JsonObject;
type JsonObject = { [key: string]: Json };

/** The patch type a `Content-Type` names (parameters ignored), or a 415 naming the served ones (`negotiation.NewUnsupportedMediaTypeError`). */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const essence = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const type = patchTypes.find((t) => t === essence);
  if (type) return type;
  throw new StatusError(failure(415, `the body of the request was in an unknown format - accepted media types include: ${patchTypes.join(', ')}`));
}

/**
 * `current` (a whole object of `kind`) with `patch` of `type` applied.
 * `current` is undefined only for server-side apply, which then creates:
 * the configuration is the object.
 */
export function applyPatch(type: PatchType, current: object | undefined, patch: unknown, kind: PatchKind): Record<string, unknown> {
  if (patch === undefined) throw new StatusError(badRequest('the request body must be a patch: it is empty'));
  if (type === PatchType.apply) return applyConfiguration(current, patch, kind);
  if (current === undefined) throw new Error(`a ${type} patch needs an object to patch`);
  const original = structuredClone(current) as JsonObject;
  let result: unknown;
  switch (type) {
    case PatchType.json:
      result = jsonPatchOf(original, patch);
      break;
    case PatchType.merge:
      if (!isObject(patch)) throw new StatusError(badRequest('a merge patch must be a JSON object'));
      result = mergePatch(original, patch as JsonObject);
      break;
    case PatchType.strategic:
      result = strategicMergePatch(original, patch, kind);
      break;
    default:
      throw new Error(`unhandled patch type ${type}`);
  }
  if (!isObject(result)) throw new StatusError(failure(422, `the patched ${kind} is not a JSON object`));
  return result;
}

// ---- Server-side apply ---------------------------------------------------------

/**
 * Server-side apply without field ownership: the applied configuration
 * (which must name its `apiVersion` and `kind`, as upstream requires) is the
 * object when there is none, else it is merged over the live object as a
 * strategic merge patch — maps key by key, lists by their merge keys
 * (`containers` by name), other lists replaced.
 *
 * What upstream does and this does not: no `managedFields` are kept, so a
 * field another manager set is never a conflict (`force` changes nothing),
 * and a field this manager applied before and now leaves out is kept, not
 * removed; `null` removes a field, as in a strategic merge patch.
 */
export function applyConfiguration(current: object | undefined, config: unknown, kind: PatchKind): Record<string, unknown> {
  if (!isObject(config)) throw new StatusError(badRequest('an apply patch must be an object: the whole configuration applied'));
  for (const field of ['apiVersion', 'kind'] as const) {
    if (typeof config[field] !== 'string' || config[field] === '') throw new StatusError(badRequest(`an apply patch must set ${field}`));
  }
  if (current === undefined) return mergeMap(undefined, structuredClone(config), kind, '');
  return strategicMergePatch(structuredClone(current), config, kind);
}

// ---- JSON patch (RFC 6902) --------------------------------------------------

/** Errors about the patch document itself (upstream: `DecodePatch` fails, 400); the others are about the object (422). */
const malformedOperation = new Set([
  'OPERATION_NOT_AN_OBJECT',
  'OPERATION_OP_INVALID',
  'OPERATION_PATH_INVALID',
  'OPERATION_FROM_REQUIRED',
  'OPERATION_VALUE_REQUIRED',
  'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED',
]);

/** `document` after each operation of `patch` in turn; a refusal names the operation's index and path. */
function jsonPatchOf(document: JsonObject, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw new StatusError(badRequest('a JSON patch must be a JSON array of operations'));
  let result: unknown = document;
  patch.forEach((operation: unknown, index) => {
    try {
      // Validated against the document, mutating our own copy; prototype paths stay banned.
      result = jsonPatch.applyOperation(result, operation as Operation, true, true, true, index).newDocument;
    } catch (error) {
      const { op, path } = isObject(operation) ? operation : {};
      const what = `JSON patch operation ${index} (${typeof op === 'string' ? op : '?'} ${typeof path === 'string' ? path : '?'})`;
      const name = (error as { name?: string }).name ?? '';
      const reason = (error as Error).message.split('\n')[0];
      if (name === 'TEST_OPERATION_FAILED') throw new StatusError(failure(422, `${what}: the test failed: the value there is not the one given`));
      if (name.startsWith('OPERATION_') && !malformedOperation.has(name)) throw new StatusError(failure(422, `${what}: ${reason}`));
      throw new StatusError(badRequest(`${what}: ${reason}`));
    }
  });
  return result;
}

// ---- JSON merge patch (RFC 7386) --------------------------------------------

/** RFC 7386 `MergePatch(target, patch)`: objects merge key by key, `null` deletes, anything else replaces. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__') throw new StatusError(badRequest('merge patch: the key "__proto__" is not allowed'));
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

// ---- Strategic merge patch ---------------------------------------------------

/**
 * How one field merges. Maps merge key by key unless told otherwise, and
 * lists are replaced whole unless `merge`: then a list of objects merges by
 * `mergeKey`, a list of primitives is a set union. `type` names the patch
 * fields of the value (or of each element).
 */
interface PatchField {
  readonly type?: PatchTypeName;
  readonly merge?: true;
  readonly mergeKey?: string;
}

/** The types whose fields `patchFields` describes (Kubernetes' names for them). */
export type PatchTypeName =
  | 'Node'
  | 'NodeSpec'
  | 'NodeStatus'
  | 'DaemonSet'
  | 'DaemonSetSpec'
  | 'DaemonSetStatus'
  | 'ObjectMeta'
  | 'PodTemplateSpec'
  | 'PodSpec'
  | 'Container';

const keyed = (mergeKey: string, type?: PatchTypeName): PatchField => ({ merge: true, mergeKey, ...(type ? { type } : {}) });
const nested = (type: PatchTypeName): PatchField => ({ type });

/**
 * The `patchStrategy:"merge"` fields of the objects everynode patches, from
 * k8s.io/api `core/v1`, `apps/v1` and apimachinery `meta/v1` `types.go`.
 * Everything else merges as JSON merge patch does. Note what is *not* here:
 * `tolerations`, `taints`, `readinessGates`, `matchExpressions` carry no
 * strategy upstream, so a patch replaces them whole.
 */
const patchFields = {
  Node: { metadata: nested('ObjectMeta'), spec: nested('NodeSpec'), status: nested('NodeStatus') },
  NodeSpec: { podCIDRs: { merge: true } },
  NodeStatus: { conditions: keyed('type'), addresses: keyed('type') },
  DaemonSet: { metadata: nested('ObjectMeta'), spec: nested('DaemonSetSpec'), status: nested('DaemonSetStatus') },
  DaemonSetSpec: { template: nested('PodTemplateSpec') },
  DaemonSetStatus: { conditions: keyed('type') },
  ObjectMeta: { finalizers: { merge: true }, ownerReferences: keyed('uid') },
  PodTemplateSpec: { metadata: nested('ObjectMeta'), spec: nested('PodSpec') },
  PodSpec: {
    volumes: keyed('name'),
    initContainers: keyed('name', 'Container'),
    containers: keyed('name', 'Container'),
    ephemeralContainers: keyed('name', 'Container'),
    imagePullSecrets: keyed('name'),
    hostAliases: keyed('ip'),
    topologySpreadConstraints: keyed('topologyKey'),
    schedulingGates: keyed('name'),
    resourceClaims: keyed('name'),
  },
  Container: { ports: keyed('containerPort'), env: keyed('name'), volumeMounts: keyed('mountPath'), volumeDevices: keyed('devicePath') },
} satisfies Record<PatchTypeName, Record<string, PatchField>>;

/** A `patchStrategy:"merge"` field of a type, and the key its list items merge by (none: a set of primitives). */
export interface MergedField {
  readonly type: PatchTypeName;
  readonly field: string;
  readonly mergeKey?: string;
}

/** Every field a strategic merge patch merges rather than replaces: what OpenAPI declares as `x-kubernetes-patch-strategy`. */
export function mergedFields(): MergedField[] {
  return Object.entries(patchFields).flatMap(([type, fields]) =>
    Object.entries(fields as Record<string, PatchField>)
      .filter(([, how]) => how.merge === true)
      .map(([field, how]) => ({ type: type as PatchTypeName, field, ...(how.mergeKey === undefined ? {} : { mergeKey: how.mergeKey }) })),
  );
}

/** The kinds a strategic merge patch applies to. */
export type PatchKind = 'Node' | 'DaemonSet';

const directiveMarker = '$patch';
const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';

/** `original` (an object of `kind`) with the strategic merge patch `patch` applied (`strategicpatch.StrategicMergeMapPatch`). */
export function strategicMergePatch(original: object, patch: unknown, kind: PatchKind): JsonObject {
  if (!isObject(patch)) throw new StatusError(badRequest('a strategic merge patch must be a JSON object'));
  return mergeMap(original as JsonObject, patch, kind, '');
}

function fieldOf(type: PatchTypeName | undefined, key: string): PatchField | undefined {
  if (type === undefined) return undefined;
  return (patchFields[type] as Record<string, PatchField>)[key];
}

/** A 400 about the patch at `path` (`spec.template.spec.containers[1]`), or about the whole patch. */
function bad(path: string, message: string): StatusError {
  return new StatusError(badRequest(`strategic merge patch${path === '' ? '' : ` at ${path}`}: ${message}`));
}

const child = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/** `mergeMap`: `patch` merged into `original` (absent: nothing), directives resolved. */
function mergeMap(original: JsonObject | undefined, patch: JsonObject, type: PatchTypeName | undefined, path: string): JsonObject {
  if (Object.hasOwn(patch, directiveMarker)) {
    const { [directiveMarker]: directive, ...rest } = patch;
    // `replace`: the map is the patch's (its own directives resolved); `delete`: an empty map.
    if (directive === 'replace') return mergeMap(undefined, rest, type, path);
    if (directive === 'delete') return {};
    throw bad(path, `unknown ${directiveMarker} directive ${JSON.stringify(directive)}: expected "replace" or "delete"`);
  }
  const result: JsonObject = { ...original };
  const work: JsonObject = { ...patch };
  if (Object.hasOwn(work, '__proto__')) throw bad(path, 'the key "__proto__" is not allowed');
  applyRetainKeys(result, work, path);
  applySetElementOrders(result, work, type, path);
  for (const [patchKey, value] of Object.entries(work)) {
    if (patchKey.startsWith(deleteFromPrimitiveListPrefix)) {
      const key = directiveTarget(patchKey, deleteFromPrimitiveListPrefix, path);
      if (!Array.isArray(value)) throw bad(child(path, patchKey), 'must be a list of the values to delete');
      const current = result[key];
      // Deleting from a list that is not there leaves it not there.
      if (Array.isArray(current)) result[key] = current.filter((item) => !value.includes(item));
      continue;
    }
    if (value === null) {
      delete result[patchKey];
      continue;
    }
    const field = fieldOf(type, patchKey);
    const current = result[patchKey];
    const at = child(path, patchKey);
    if (current === undefined || kindOf(current) !== kindOf(value)) result[patchKey] = fresh(value, field, at);
    else if (isObject(value)) result[patchKey] = mergeMap(current as JsonObject, value, field?.type, at);
    else if (Array.isArray(value)) result[patchKey] = field?.merge ? mergeList(current as Json[], value, field, at) : fresh(value, field, at);
    else result[patchKey] = value;
  }
  return result;
}

/**
 * A patch value where there is nothing to merge into: a map's directives
 * resolved and nulls dropped (as RFC 7386 does too); a replaced list is
 * taken as it is, as upstream takes it.
 */
function fresh(value: Json, field: PatchField | undefined, path: string): Json {
  if (isObject(value)) return mergeMap(undefined, value, field?.type, path);
  if (Array.isArray(value) && field?.merge) return mergeList([], value, field, path);
  return value;
}

/** `$deleteFromPrimitiveList/finalizers` → `finalizers` (`extractKey`). */
function directiveTarget(key: string, prefix: string, path: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix || slash === key.length - 1) throw bad(path, `${JSON.stringify(key)}: expected ${prefix}/<field>`);
  return key.slice(slash + 1);
}

/** `$retainKeys`: keys of `original` not listed are cleared; every key the patch sets must be listed. */
function applyRetainKeys(original: JsonObject, patch: JsonObject, path: string): void {
  if (!Object.hasOwn(patch, retainKeysDirective)) return;
  const retained = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(retained)) throw bad(path, `${retainKeysDirective} must be a list of keys`);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(deleteFromPrimitiveListPrefix) || key.startsWith(setElementOrderPrefix)) continue;
    if (!retained.includes(key)) throw bad(path, `the patch sets ${JSON.stringify(key)}, which its ${retainKeysDirective} list does not retain`);
  }
  for (const key of Object.keys(original)) if (!retained.includes(key)) delete original[key];
}

/**
 * `$setElementOrder/<list>` (`mergePatchIntoOriginal`): the list is merged
 * with the patch's, then ordered — items the order names by it, the others
 * by their place in the stored list. Both keys leave `patch`.
 */
function applySetElementOrders(original: JsonObject, patch: JsonObject, type: PatchTypeName | undefined, path: string): void {
  for (const [patchKey, order] of Object.entries(patch)) {
    if (!patchKey.startsWith(setElementOrderPrefix)) continue;
    delete patch[patchKey];
    const key = directiveTarget(patchKey, setElementOrderPrefix, path);
    const at = child(path, key);
    if (!Array.isArray(order)) throw bad(child(path, patchKey), 'must be a list');
    const field = fieldOf(type, key);
    const stored = original[key];
    const patched = patch[key];
    if (stored !== undefined && !Array.isArray(stored)) throw bad(at, `${patchKey} orders a field that is not a list`);
    if (patched !== undefined && !Array.isArray(patched)) throw bad(at, `${patchKey} comes with a value that is not a list`);
    delete patch[key];
    if (stored === undefined && patched === undefined) continue;
    // Only merging lists have an order to keep; a replaced list is the patch's.
    if (!field?.merge) {
      if (patched !== undefined) original[key] = fresh(patched, field, at);
      continue;
    }
    const mergeKey = field.mergeKey;
    checkOrder(patched ?? [], order, mergeKey, at, patchKey);
    const merged = stored !== undefined && patched !== undefined ? mergeList(stored, patched, field, at) : stored !== undefined ? stored : fresh(patched as Json[], field, at);
    original[key] = ordered(merged as Json[], order, stored ?? [], mergeKey, at);
  }
}

/** `validatePatchWithSetOrderList`: the patch's items appear in `order`, in the same relative order. */
function checkOrder(patchList: Json[], order: Json[], mergeKey: string | undefined, path: string, directive: string): void {
  const items = patchList.filter((item) => !(isObject(item) && Object.hasOwn(item, directiveMarker)));
  let p = 0;
  for (let s = 0; p < items.length && s < order.length; s++) {
    if (sameItem(items[p] as Json, order[s] as Json, mergeKey, path)) p++;
  }
  if (p < items.length) throw bad(path, `the order of the patch's list does not match its ${directive} list`);
}

/** `mergeSlice`: `patch` merged into the list `original` of a `merge` field. */
function mergeList(original: Json[], patch: Json[], field: PatchField, path: string): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind([...original, ...patch], path);
  if (kind !== 'object') return ordered(unique([...original, ...patch]), patch, original, undefined, path);
  const mergeKey = field.mergeKey;
  if (mergeKey === undefined) throw bad(path, 'cannot merge a list of objects that has no merge key');
  let base = original as JsonObject[];
  let replace = false;
  const items: JsonObject[] = [];
  (patch as JsonObject[]).forEach((item, i) => {
    if (!Object.hasOwn(item, directiveMarker)) return void items.push(item);
    const directive = item[directiveMarker];
    if (directive === 'delete') {
      if (!Object.hasOwn(item, mergeKey)) throw bad(`${path}[${i}]`, `does not contain declared merge key "${mergeKey}"`);
      base = base.filter((e) => e[mergeKey] !== item[mergeKey]);
    } else if (directive === 'replace') replace = true;
    else if (directive === 'merge') throw bad(`${path}[${i}]`, 'merging lists cannot yet be specified in the patch');
    else throw bad(`${path}[${i}]`, `unknown ${directiveMarker} directive ${JSON.stringify(directive)}`);
  });
  items.forEach((item, i) => {
    if (!Object.hasOwn(item, mergeKey)) throw bad(`${path}[${i}]`, `does not contain declared merge key "${mergeKey}"`);
  });
  // `$patch: replace` anywhere in the list: the list is the patch's other items.
  if (replace) return items.map((item, i) => mergeMap(undefined, item, field.type, `${path}[${i}]`));
  const merged: Json[] = [...base];
  for (const item of items) {
    const at = merged.findIndex((e) => isObject(e) && e[mergeKey] === item[mergeKey]);
    const where = `${path}[${JSON.stringify(item[mergeKey])}]`;
    if (at >= 0) merged[at] = mergeMap(merged[at] as JsonObject, item, field.type, where);
    else merged.push(mergeMap(undefined, item, field.type, where));
  }
  return ordered(merged, items, base, mergeKey, path);
}

/**
 * `normalizeElementOrder`: items named in `order` come in its order, the
 * others (the server's only) keep their order in `server`; the two are
 * interleaved by their places in `server` (`mergeSortedSlice`).
 */
function ordered(merged: Json[], order: Json[], server: Json[], mergeKey: string | undefined, path: string): Json[] {
  const indexIn = (list: Json[], item: Json) => list.findIndex((e) => sameItem(e, item, mergeKey, path));
  const byPlaceIn = (list: Json[]) => (a: Json, b: Json) => {
    const ia = indexIn(list, a);
    const ib = indexIn(list, b);
    return ia >= 0 && ib >= 0 ? ia - ib : 0;
  };
  const patchItems = merged.filter((item) => indexIn(order, item) >= 0).sort(byPlaceIn(order));
  const serverOnly = merged.filter((item) => indexIn(order, item) < 0).sort(byPlaceIn(server));
  const result: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (j >= patchItems.length) result.push(serverOnly[i++] as Json);
    else if (i >= serverOnly.length) result.push(patchItems[j++] as Json);
    else {
      const left = indexIn(server, serverOnly[i] as Json);
      const right = indexIn(server, patchItems[j] as Json);
      result.push(left >= 0 && right >= 0 && left < right ? (serverOnly[i++] as Json) : (patchItems[j++] as Json));
    }
  }
  return result;
}

/** The same list item: equal merge-key values for objects, equal values for primitives. */
function sameItem(a: Json, b: Json, mergeKey: string | undefined, path: string): boolean {
  if (mergeKey === undefined) return a === b;
  if (!isObject(a) || !Object.hasOwn(a, mergeKey)) throw bad(path, `an item does not contain declared merge key "${mergeKey}"`);
  if (!isObject(b) || !Object.hasOwn(b, mergeKey)) throw bad(path, `an item does not contain declared merge key "${mergeKey}"`);
  return a[mergeKey] === b[mergeKey];
}

/** The kind all of `items` share (`sliceElementType`): lists of lists and mixed lists cannot merge. */
function elementKind(items: Json[], path: string): string {
  const kinds = new Set(items.map(kindOf));
  if (kinds.has('list')) throw bad(path, 'lists of lists cannot be merged');
  if (kinds.size > 1) throw bad(path, `list element types are not identical: ${[...kinds].join(', ')}`);
  return [...kinds][0] ?? 'null';
}

function unique(items: Json[]): Json[] {
  return items.filter((item, i) => items.indexOf(item) === i);
}

/** JSON kinds as Go's decoder types them: two values of different kinds replace rather than merge. */
function kindOf(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'object' : typeof value;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
