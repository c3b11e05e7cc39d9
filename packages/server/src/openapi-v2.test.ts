/**
 * `/openapi/v2` as kubectl reads it: the protobuf decodes (protobufjs, the
 * same .proto) back to the JSON document's definitions; every served kind
 * and list carries its group-version-kind where kubectl looks (an extension's
 * `yaml`); every reference resolves; every definition is of a shape kubectl
 * 1.20's model parser accepts (kube-openapi `proto.NewOpenAPIData` refuses
 * the whole document for one it does not); and a partial schema declares the
 * Kubernetes fields it leaves out, with the patch strategies apply relies on.
 */
import { DaemonSetSpecSchema } from '@everynode/api';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { groupVersions, resourcesOf } from './api-resources.ts';
import { kubernetesFields } from './kubernetes-fields.ts';
import { type JsonSchema } from './openapi.ts';
import { definitionRefPrefix, documentType, openApiV2 } from './openapi-v2.ts';

type Message = Record<string, unknown>;

interface Swagger {
  swagger: string;
  paths: Record<string, Record<string, JsonSchema>>;
  definitions: Record<string, JsonSchema>;
}

const json = () => JSON.parse(openApiV2().json) as Swagger;
const decoded = () => {
  const type = documentType();
  return type.toObject(type.decode(openApiV2().protobuf), { longs: Number }) as Message;
};

/** An extension's or a default's value, read from gnostic's `Any.yaml` as Kubernetes reads it. */
const valueOf = (any: unknown) => parse((any as { yaml: string }).yaml) as unknown;
const named = (entries: unknown) => (entries ?? []) as { name: string; value?: Message }[];

/** A decoded gnostic `Schema` back in Swagger 2.0 JSON: the inverse of what the server encodes. */
function swaggerOf(schema: Message): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    const v = value as Message;
    if (key === '_ref') out.$ref = value;
    else if (key === 'type') out.type = (v.value as string[]).length === 1 ? (v.value as string[])[0] : v.value;
    else if (key === 'items') out.items = (v.schema as Message[]).map(swaggerOf)[0];
    else if (key === 'all_of') out.allOf = (value as Message[]).map(swaggerOf);
    else if (key === 'properties') out.properties = Object.fromEntries(named(v.additional_properties).map((field) => [field.name, swaggerOf(field.value ?? {})]));
    else if (key === 'additional_properties') out.additionalProperties = v.schema === undefined ? v.boolean : swaggerOf(v.schema as Message);
    else if (key === 'vendor_extension') for (const extension of named(value)) out[extension.name] = valueOf(extension.value);
    else if (key === 'default' || key === 'example') out[key] = valueOf(value);
    else if (key === 'enum') out.enum = (value as unknown[]).map(valueOf);
    else out[key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  }
  return out;
}

/** Every `$ref` under `node`. */
function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, out));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.push(value);
      else refsIn(value, out);
    }
  }
  return out;
}

/** Why kubectl 1.20's parser (kube-openapi `ParseSchema`) would refuse `schema`, if it would. */
function unparseable(schema: JsonSchema, at: string): string[] {
  const problems: string[] = [];
  const { type } = schema;
  if (schema.$ref !== undefined && (type !== undefined || schema.properties !== undefined)) problems.push(`${at}: a $ref beside a type or properties`);
  if (Array.isArray(type)) problems.push(`${at}: several types`);
  if (type === 'array' && (schema.items === null || typeof schema.items !== 'object' || Array.isArray(schema.items))) problems.push(`${at}: an array without one items schema`);
  if (typeof type === 'string' && !['object', 'array', 'string', 'number', 'integer', 'boolean'].includes(type)) problems.push(`${at}: type ${type}`);
  if (schema.allOf !== undefined || schema.anyOf !== undefined || schema.oneOf !== undefined) problems.push(`${at}: a combination kubectl 1.20 does not read`);
  for (const [name, field] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) problems.push(...unparseable(field, `${at}.${name}`));
  for (const key of ['items', 'additionalProperties'] as const) {
    const sub = schema[key];
    if (sub !== null && typeof sub === 'object') problems.push(...unparseable(sub as JsonSchema, `${at}.${key}`));
  }
  return problems;
}

describe('OpenAPI v2', () => {
  it('is Swagger 2.0 whose protobuf decodes to the same definitions, every one, field for field', () => {
    const document = json();
    expect(document.swagger).toBe('2.0');
    const message = decoded();
    expect(message.swagger).toBe('2.0');
    const definitions = Object.fromEntries(named((message.definitions as Message).additional_properties).map(({ name, value }) => [name, swaggerOf(value ?? {})]));
    expect(Object.keys(definitions)).toEqual(Object.keys(document.definitions));
    expect(definitions).toEqual(document.definitions);
  });

  it('every served kind and its list carry their group-version-kind in the protobuf, as a YAML extension', () => {
    const message = decoded();
    const gvkOf = new Map(
      named((message.definitions as Message).additional_properties).map(({ name, value }) => [
        name,
        valueOf(named(value?.vendor_extension).find((e) => e.name === 'x-kubernetes-group-version-kind')?.value ?? { yaml: 'null' }),
      ]),
    );
    for (const gv of groupVersions) {
      for (const r of resourcesOf(gv)) {
        const name = `${gv.definitions}.${r.kind}`;
        expect(gvkOf.get(name), name).toEqual([{ group: r.group, kind: r.kind, version: gv.version }]);
        if (r.verbs.includes('list')) expect(gvkOf.get(`${name}List`), `${name}List`).toEqual([{ group: r.group, kind: `${r.kind}List`, version: gv.version }]);
      }
    }
  });

  it('every reference, in the definitions and the paths, names a definition', () => {
    const document = json();
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of refs) {
      expect(ref.startsWith(definitionRefPrefix), ref).toBe(true);
      expect(Object.keys(document.definitions), ref).toContain(ref.slice(definitionRefPrefix.length));
    }
    expect(openApiV2().json).not.toMatch(/components|"nullable"|"anyOf"|"oneOf"/);
  });

  it('every definition has a shape kubectl 1.20 parses: one bad one and it has no model at all', () => {
    const document = json();
    expect(Object.entries(document.definitions).flatMap(([name, schema]) => unparseable(schema, name))).toEqual([]);
  });

  it('a reference carries its field doc beside it, as Kubernetes writes it and kubectl explain prints it', () => {
    const spec = json().definitions['io.k8s.api.apps.v1.DaemonSetSpec'] as { properties: Record<string, JsonSchema>; required: string[] };
    expect(spec.properties.updateStrategy).toEqual({ $ref: '#/definitions/io.k8s.api.apps.v1.DaemonSetUpdateStrategy', description: DaemonSetSpecSchema.shape.updateStrategy.description });
    expect(spec.required).toEqual(['template']);
  });

  it('a partially modelled type declares exactly the fields Kubernetes gives it, the patch strategies on those apply merges', () => {
    const { definitions } = json();
    for (const [name, fields] of Object.entries(kubernetesFields)) {
      expect(Object.keys((definitions[name]?.properties ?? {}) as object).sort(), name).toEqual([...fields].sort());
    }
    const container = definitions['io.k8s.api.core.v1.Container']?.properties as Record<string, JsonSchema>;
    expect(container.volumeMounts).toMatchObject({ 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'mountPath' });
    expect(container.command).toEqual({ description: expect.stringMatching(/^Kept as given/) });
    const podSpec = definitions['io.k8s.api.core.v1.PodSpec']?.properties as Record<string, JsonSchema>;
    expect(podSpec.containers).toMatchObject({ type: 'array', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' });
    expect(podSpec.tolerations?.['x-kubernetes-patch-strategy']).toBeUndefined();
  });

  it('paths: each operation has its GVK extension and kind; create and update take the kind as their body', () => {
    const message = decoded();
    const paths = named((message.paths as Message).path);
    const item = paths.find((p) => p.name === '/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}')?.value as Record<string, Message>;
    expect(item.patch?.operation_id).toBe('patchAppsV1NamespacedDaemonSet');
    expect(valueOf(named(item.patch?.vendor_extension).find((e) => e.name === 'x-kubernetes-group-version-kind')?.value)).toEqual({ group: 'apps', version: 'v1', kind: 'DaemonSet' });
    expect(json().paths['/apis/apps/v1/namespaces/{namespace}/daemonsets']?.post).toMatchObject({
      consumes: ['application/json'],
      parameters: [{ name: 'namespace', in: 'path', type: 'string' }, { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.api.apps.v1.DaemonSet' } }],
      responses: { '201': { schema: { $ref: '#/definitions/io.k8s.api.apps.v1.DaemonSet' } } },
    });
  });

  it('is built and encoded once', () => {
    expect(openApiV2()).toBe(openApiV2());
  });
});
