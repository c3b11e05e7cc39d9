/**
 * The OpenAPI v3 documents of the served group-versions, generated from the
 * zod schemas of `@everynode/api` (`z.toJSONSchema`, OpenAPI 3.0 target, the
 * input side: what a client sends), never kept by hand. Definitions carry
 * the names Kubernetes gives them (`io.k8s.api.apps.v1.DaemonSet`), kinds
 * their `x-kubernetes-group-version-kind`, fields the schemas' `.describe()`
 * docs — what `kubectl explain` prints — and paths the operations
 * `api-resources.ts` lists.
 *
 * Where a schema models a Kubernetes type in part, the fields it leaves out
 * are declared too, untyped (`kubernetes-fields.ts`); the fields a strategic
 * merge patch merges carry `x-kubernetes-patch-strategy` and `-merge-key`
 * (from `patch.ts`), which kubectl apply computes its patches by.
 * `/openapi/v2` is made from the same definitions and paths (`openapi-v2.ts`).
 *
 * No operation declares the `fieldValidation` parameter: the server keeps
 * unknown fields rather than refusing them, so kubectl must not believe it
 * validates strictly (it then validates on its side, against `/openapi/v2`).
 */
import { createHash } from 'node:crypto';
import {
  AffinitySchema,
  ContainerSchema,
  ControllerRevisionSchema,
  DaemonSetSpecSchema,
  DaemonSetStatusSchema,
  DaemonSetUpdateStrategySchema,
  IntOrStringSchema,
  KubeEventSchema,
  kubeListOf,
  LabelSelectorRequirementSchema,
  LabelSelectorSchema,
  NamedMetaSchema,
  NamespaceSchema,
  NodeAffinitySchema,
  NodeConditionSchema,
  NodeSelectorRequirementSchema,
  NodeSelectorSchema,
  NodeSelectorTermSchema,
  NodeSchema,
  ObjectMetaSchema,
  OwnerReferenceSchema,
  PodConditionSchema,
  PodSchema,
  PodSpecSchema,
  PodStatusSchema,
  PodTemplateSpecSchema,
  RollingUpdateDaemonSetSchema,
  StatusSchema,
  TaintSchema,
  TolerationSchema,
  schemaItself,
} from '@everynode/api';
import * as z from 'zod';
import { AppsV1, CoreV1, type GroupVersion, groupVersions, resourcesOf, type ServedResource, type Verb } from './api-resources.ts';
import { kubernetesFields } from './kubernetes-fields.ts';
import { versionInfo } from './routes/discovery.ts';
import { mergedFields, type PatchTypeName, patchTypes } from './patch.ts';

const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const core = CoreV1.definitions;
const apps = AppsV1.definitions;
/** Where a v3 document's references point; v2 documents rewrite it. */
export const schemaRefPrefix = '#/components/schemas/';
const schemaRef = (name: string) => `${schemaRefPrefix}${name}`;

/** The definition name of `r`'s kind (`io.k8s.api.apps.v1.DaemonSet`), and of its list. */
const kindName = (r: ServedResource) => `${r.gv.definitions}.${r.kind}`;
const listName = (r: ServedResource) => `${kindName(r)}List`;

type ListSchema = ReturnType<typeof kubeListOf>;

/** The list schema of each resource that is listed, built once so the registry and the paths agree. */
function listSchemas(): Map<ServedResource, ListSchema> {
  return new Map(groupVersions.flatMap((gv) => resourcesOf(gv).filter((r) => r.verbs.includes('list')).map((r) => [r, kubeListOf(r.schema)] as const)));
}

/**
 * The named definitions: each served kind and its list, and the parts
 * Kubernetes names too. Several schemas may share a name (a metadata
 * extended with a required `name` is still an `ObjectMeta`); the one
 * registered last is the definition emitted.
 */
function namedSchemas(lists: Map<ServedResource, ListSchema>): z.core.$ZodRegistry<{ id: string }> {
  const registry = z.registry<{ id: string }>();
  // A lazySchema stand-in and the schema it stands for are both met in the schemas' parts (lazy-schema.ts): name both.
  const name = (id: string, ...schemas: z.ZodType[]) => {
    for (const schema of schemas) registry.add(schema, { id }).add(schemaItself(schema), { id });
  };
  for (const gv of groupVersions) {
    for (const r of resourcesOf(gv)) {
      name(kindName(r), r.schema);
      const list = lists.get(r);
      if (list) name(listName(r), list);
    }
  }
  name(`${meta}.Status`, StatusSchema);
  name(`${meta}.OwnerReference`, OwnerReferenceSchema);
  name(`${meta}.LabelSelector`, LabelSelectorSchema);
  name(`${meta}.LabelSelectorRequirement`, LabelSelectorRequirementSchema);
  name(`${meta}.ObjectMeta`, NamedMetaSchema, PodSchema.shape.metadata, ControllerRevisionSchema.shape.metadata, KubeEventSchema.shape.metadata, ObjectMetaSchema);
  name(`${meta}.ListMeta`, ...[...lists.values()].map((list) => list.shape.metadata));
  name('io.k8s.apimachinery.pkg.util.intstr.IntOrString', IntOrStringSchema);
  name(`${core}.PodTemplateSpec`, PodTemplateSpecSchema);
  name(`${core}.PodSpec`, PodSpecSchema);
  name(`${core}.PodStatus`, PodStatusSchema);
  name(`${core}.PodCondition`, PodConditionSchema);
  name(`${core}.Container`, ContainerSchema);
  name(`${core}.ResourceRequirements`, ContainerSchema.shape.resources.unwrap());
  name(`${core}.Toleration`, TolerationSchema);
  name(`${core}.Affinity`, AffinitySchema);
  name(`${core}.NodeAffinity`, NodeAffinitySchema);
  name(`${core}.NodeSelector`, NodeSelectorSchema);
  name(`${core}.NodeSelectorTerm`, NodeSelectorTermSchema);
  name(`${core}.NodeSelectorRequirement`, NodeSelectorRequirementSchema);
  name(`${core}.Taint`, TaintSchema);
  name(`${core}.NodeCondition`, NodeConditionSchema);
  name(`${core}.NodeSpec`, NodeSchema.shape.spec.unwrap());
  name(`${core}.NodeStatus`, NodeSchema.shape.status.unwrap());
  name(`${core}.NamespaceStatus`, NamespaceSchema.shape.status.unwrap());
  name(`${core}.ObjectReference`, KubeEventSchema.shape.involvedObject);
  name(`${core}.EventSource`, KubeEventSchema.shape.source.unwrap());
  name(`${apps}.DaemonSetSpec`, DaemonSetSpecSchema);
  name(`${apps}.DaemonSetStatus`, DaemonSetStatusSchema);
  name(`${apps}.DaemonSetUpdateStrategy`, DaemonSetUpdateStrategySchema);
  name(`${apps}.RollingUpdateDaemonSet`, RollingUpdateDaemonSetSchema);
  return registry;
}

export type JsonSchema = { [key: string]: unknown };

/**
 * Kubernetes' conventions over zod's output: no `$id`; no
 * `additionalProperties: {}` on objects that keep unknown fields (every
 * Kubernetes object does, and explain would print them as maps).
 */
function kubernetesStyle(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(kubernetesStyle);
  if (node === null || typeof node !== 'object') return;
  const schema = node as JsonSchema;
  delete schema.$id;
  const extra = schema.additionalProperties;
  if (schema.properties !== undefined && extra !== null && typeof extra === 'object' && Object.keys(extra).length === 0) delete schema.additionalProperties;
  for (const value of Object.values(schema)) kubernetesStyle(value);
}

/** The Kubernetes type each `patch.ts` type name stands for. */
const patchTypeDefinitions: Record<PatchTypeName, string> = {
  Node: `${core}.Node`,
  NodeSpec: `${core}.NodeSpec`,
  NodeStatus: `${core}.NodeStatus`,
  DaemonSet: `${apps}.DaemonSet`,
  DaemonSetSpec: `${apps}.DaemonSetSpec`,
  DaemonSetStatus: `${apps}.DaemonSetStatus`,
  ObjectMeta: `${meta}.ObjectMeta`,
  PodTemplateSpec: `${core}.PodTemplateSpec`,
  PodSpec: `${core}.PodSpec`,
  Container: `${core}.Container`,
};

/** The properties of definition `name`, which must be an object with properties. */
function propertiesOf(schemas: Record<string, JsonSchema>, name: string): Record<string, JsonSchema> {
  const properties = schemas[name]?.properties;
  if (properties === undefined) throw new Error(`OpenAPI: no definition ${name} with properties`);
  return properties as Record<string, JsonSchema>;
}

/** Declare, untyped, each Kubernetes field a partial schema leaves out (see `kubernetes-fields.ts`). */
function declareKeptFields(schemas: Record<string, JsonSchema>): void {
  for (const [name, fields] of Object.entries(kubernetesFields)) {
    const properties = propertiesOf(schemas, name);
    for (const field of fields) properties[field] ??= { description: 'Kept as given: everynode neither reads nor checks this field.' };
  }
}

/** Mark each field a strategic merge patch merges, as Kubernetes' `patchStrategy` and `patchMergeKey` tags are published. */
function declarePatchStrategies(schemas: Record<string, JsonSchema>): void {
  for (const { type, field, mergeKey } of mergedFields()) {
    const property = propertiesOf(schemas, patchTypeDefinitions[type])[field];
    if (property === undefined) throw new Error(`OpenAPI: ${patchTypeDefinitions[type]} has no field ${field} to declare a patch strategy on`);
    property['x-kubernetes-patch-strategy'] = 'merge';
    if (mergeKey !== undefined) property['x-kubernetes-patch-merge-key'] = mergeKey;
  }
}

/** Every definition, by name, in Kubernetes' style. */
function definitions(): Record<string, JsonSchema> {
  const lists = listSchemas();
  const { schemas } = z.toJSONSchema(namedSchemas(lists), { target: 'openapi-3.0', io: 'input', uri: schemaRef }) as { schemas: Record<string, JsonSchema> };
  kubernetesStyle(schemas);
  // IntOrString is a union in zod; on the wire Kubernetes declares it as this string format.
  const intOrString = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
  schemas[intOrString] = { type: 'string', format: 'int-or-string', description: schemas[intOrString]?.description };
  declareKeptFields(schemas);
  declarePatchStrategies(schemas);
  const gvk = (r: ServedResource, kind: string) => [{ group: r.group, kind, version: r.gv.version }];
  for (const gv of groupVersions) {
    for (const r of resourcesOf(gv)) {
      (schemas[kindName(r)] as JsonSchema)['x-kubernetes-group-version-kind'] = gvk(r, r.kind);
      if (lists.has(r)) (schemas[listName(r)] as JsonSchema)['x-kubernetes-group-version-kind'] = gvk(r, `${r.kind}List`);
    }
  }
  return schemas;
}

/** Each verb's path (the collection's or the object's), method, action and answer. */
const operations: Record<Exclude<Verb, 'watch'>, { item: boolean; method: string; action: string; prefix: string; answer: 'kind' | 'list' | 'status'; code: string }> = {
  list: { item: false, method: 'get', action: 'list', prefix: 'list', answer: 'list', code: '200' },
  create: { item: false, method: 'post', action: 'post', prefix: 'create', answer: 'kind', code: '201' },
  get: { item: true, method: 'get', action: 'get', prefix: 'read', answer: 'kind', code: '200' },
  update: { item: true, method: 'put', action: 'put', prefix: 'replace', answer: 'kind', code: '200' },
  patch: { item: true, method: 'patch', action: 'patch', prefix: 'patch', answer: 'kind', code: '200' },
  delete: { item: true, method: 'delete', action: 'delete', prefix: 'delete', answer: 'status', code: '200' },
};

const pathParameter = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string', uniqueItems: true } });
const queryParameter = (name: string, description: string) => ({ name, in: 'query', description, schema: { type: 'string', uniqueItems: true } });
/** The list parameters of a watch (`watch.ts`). */
const watchParameters = [
  queryParameter('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'),
  queryParameter('resourceVersion', 'With watch: the changes after this resourceVersion; unset, "" or "0": the present state as ADDED events first. Older than the log horizon: an ERROR event with a 410 Expired Status.'),
  queryParameter('allowWatchBookmarks', 'With watch: send BOOKMARK events carrying only a resourceVersion to resume from.'),
  queryParameter('timeoutSeconds', 'With watch: end the stream after this many seconds.'),
  queryParameter('sendInitialEvents', 'With watch, resourceVersionMatch=NotOlderThan and allowWatchBookmarks=true: the present state as ADDED events, then a BOOKMARK annotated k8s.io/initial-events-end.'),
  queryParameter('resourceVersionMatch', 'With watch and sendInitialEvents: NotOlderThan.'),
];
const json = (ref: string) => ({ 'application/json': { schema: { $ref: schemaRef(ref) } } });

/** The paths of `gv`: one operation per served verb, named as Kubernetes names them (`readAppsV1NamespacedDaemonSet`). */
export function openApiPaths(gv: GroupVersion): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const groupWord = (gv.group === '' ? 'Core' : gv.group[0]?.toUpperCase() + gv.group.slice(1)) + gv.version[0]?.toUpperCase() + gv.version.slice(1);
  for (const r of resourcesOf(gv)) {
    for (const verb of r.verbs) {
      // A watch is the list path with `?watch=true` (its parameters are on the list operation), as Kubernetes documents it.
      if (verb === 'watch') continue;
      const op = operations[verb];
      // Only a list also has a path across namespaces (what `-A` asks for).
      const acrossNamespaces = verb === 'list' && r.namespaced && r.listsAllNamespaces === true;
      for (const allNamespaces of acrossNamespaces ? [false, true] : [false]) {
        const namespaced = r.namespaced && !allNamespaces;
        const path = `${gv.prefix}${namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}${op.item ? '/{name}' : ''}`;
        const parameters = [
          ...(namespaced ? [pathParameter('namespace', 'object name and auth scope, such as for teams and projects')] : []),
          ...(op.item ? [pathParameter('name', `name of the ${r.kind}`)] : []),
          ...(verb === 'list'
            ? [
                queryParameter('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
                queryParameter('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
              ]
            : []),
          ...(verb === 'list' && r.verbs.includes('watch') ? watchParameters : []),
        ];
        const answer = op.answer === 'list' ? listName(r) : op.answer === 'status' ? `${meta}.Status` : kindName(r);
        (out[path] ??= {})[op.method] = {
          operationId: `${op.prefix}${groupWord}${namespaced ? 'Namespaced' : ''}${r.kind}${allNamespaces ? 'ForAllNamespaces' : ''}`,
          ...(parameters.length > 0 ? { parameters } : {}),
          ...(op.method === 'post' || op.method === 'put' ? { requestBody: { required: true, content: json(kindName(r)) } } : {}),
          ...(op.method === 'patch' ? { requestBody: { required: true, content: Object.fromEntries(patchTypes.map((type) => [type, { schema: { type: 'object' } }])) } } : {}),
          responses: { [op.code]: { description: op.code === '201' ? 'Created' : 'OK', content: json(answer) } },
          'x-kubernetes-action': op.action,
          'x-kubernetes-group-version-kind': { group: r.group, version: gv.version, kind: r.kind },
        };
      }
    }
  }
  return out;
}

/** The names of the definitions `root` refers to, and theirs, transitively. */
function referenced(root: unknown, schemas: Record<string, JsonSchema>): Set<string> {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = value.slice(schemaRef('').length);
        if (!seen.has(name)) {
          seen.add(name);
          visit(schemas[name]);
        }
      } else visit(value);
    }
  };
  visit(root);
  return seen;
}

/** An OpenAPI v3 document and the hash its URL carries (clients cache by it). */
export interface OpenApiDocument {
  readonly body: string;
  readonly hash: string;
}

/** The OpenAPI v3 document of `gv`: its paths, and every definition they reach. */
export function openApiDocument(gv: GroupVersion, schemas: Readonly<Record<string, JsonSchema>>): Record<string, unknown> {
  const gvPaths = openApiPaths(gv);
  const names = [...referenced(gvPaths, schemas)].sort();
  return {
    openapi: '3.0.0',
    info: { title: 'everynode', version: versionInfo.gitVersion },
    paths: gvPaths,
    components: { schemas: Object.fromEntries(names.map((name) => [name, schemas[name]])) },
  };
}

let generated: Record<string, JsonSchema> | undefined;

/** Every definition the documents draw from, by name (`io.k8s.api.apps.v1.DaemonSet`); generated once, not to be changed. */
export function openApiDefinitions(): Readonly<Record<string, JsonSchema>> {
  generated ??= definitions();
  return generated;
}

let documents: Map<string, OpenApiDocument> | undefined;

/** Every served group-version's document, by its `/openapi/v3` path (`apis/apps/v1`); generated once. */
export function openApiDocuments(): Map<string, OpenApiDocument> {
  if (!documents) {
    const schemas = openApiDefinitions();
    documents = new Map(
      groupVersions.map((gv) => {
        const body = JSON.stringify(openApiDocument(gv, schemas));
        return [gv.openApiPath, { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() }];
      }),
    );
  }
  return documents;
}
