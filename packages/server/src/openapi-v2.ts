/**
 * `/openapi/v2`: the Swagger 2.0 document of every served kind. kubectl
 * before 1.27 reads it for `explain`, and every kubectl for its client-side
 * validation of `apply` and `create` (a field its model lacks is refused),
 * finding a kind's model by `x-kubernetes-group-version-kind`.
 *
 * Made from the very definitions and paths of the v3 documents
 * (`openapi.ts`), rewritten where Swagger 2.0 says things otherwise; a
 * keyword it cannot say fails the build of the document (a test builds it)
 * rather than being dropped unseen. Served as JSON, or — what kubectl asks
 * for — as gnostic's protobuf `openapi_v2.Document` (`openapi-v2.proto`),
 * both encoded once.
 */
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { groupVersions } from './api-resources.ts';
import { type JsonSchema, openApiDefinitions, openApiPaths, schemaRefPrefix } from './openapi.ts';
import { versionInfo } from './routes/discovery.ts';

/** How a Swagger 2.0 document points at a definition. */
export const definitionRefPrefix = '#/definitions/';

/** The schema keywords Swagger 2.0 shares with OpenAPI 3.0, copied as they are. */
const plainKeywords = new Set([
  'format',
  'title',
  'description',
  'default',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
  'enum',
  'type',
  'discriminator',
  'readOnly',
  'example',
]);

const isObject = (value: unknown): value is JsonSchema => value !== null && typeof value === 'object' && !Array.isArray(value);
const mapValues = <T, U>(record: Record<string, T>, f: (value: T, key: string) => U): Record<string, U> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value, key)]));

/** A v3 reference as v2 spells it. */
function definitionRef(ref: unknown, at: string): string {
  if (typeof ref !== 'string' || !ref.startsWith(schemaRefPrefix)) throw new Error(`OpenAPI v2: ${at} refers to ${String(ref)}, not to a definition`);
  return definitionRefPrefix + ref.slice(schemaRefPrefix.length);
}

/**
 * `schema` (OpenAPI 3.0, as zod and `openapi.ts` write it) in Swagger 2.0.
 * `allOf` of one reference, zod's way to describe a referring field,
 * becomes the `$ref` itself beside the description, as Kubernetes writes
 * it (kubectl 1.20 reads no `allOf`). `nullable` is left out: Swagger 2.0
 * has no null, and kubectl skips a null field anyway.
 */
function swaggerSchema(schema: JsonSchema, at: string): JsonSchema {
  const out: JsonSchema = {};
  const { allOf, nullable: _nullable, ...rest } = schema;
  if (Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0]) && Object.keys(allOf[0]).join() === '$ref' && rest.type === undefined && rest.properties === undefined) {
    rest.$ref = allOf[0].$ref;
  } else if (allOf !== undefined) {
    rest.allOf = allOf;
  }
  for (const [key, value] of Object.entries(rest)) {
    const where = `${at}.${key}`;
    if (key.startsWith('x-') || plainKeywords.has(key)) out[key] = value;
    else if (key === '$ref') out.$ref = definitionRef(value, at);
    else if (key === 'properties' && isObject(value)) out.properties = mapValues(value, (field, name) => swaggerSchema(field as JsonSchema, `${at}.${name}`));
    else if ((key === 'items' || key === 'additionalProperties') && isObject(value)) out[key] = swaggerSchema(value, where);
    else if (key === 'additionalProperties' && typeof value === 'boolean') out[key] = value;
    else if (key === 'allOf' && Array.isArray(value)) out.allOf = value.map((part: JsonSchema, i) => swaggerSchema(part, `${where}[${i}]`));
    else throw new Error(`OpenAPI v2: ${where} cannot be said in Swagger 2.0`);
  }
  return out;
}

/** Throws unless `object` has only `keys` and vendor extensions: what the v2 rewriting knows. */
function expectOnly(object: JsonSchema, keys: readonly string[], at: string): void {
  const unknown = Object.keys(object).filter((key) => !key.startsWith('x-') && !keys.includes(key));
  if (unknown.length > 0) throw new Error(`OpenAPI v2: ${at} has ${unknown.join(', ')}, which the v2 document does not rewrite`);
}

/** The one schema of a v3 `content` (every media type of an operation has the same). */
function schemaOfContent(content: unknown, at: string): JsonSchema {
  const schema = isObject(content) ? Object.values(content).map((media) => (isObject(media) ? media.schema : undefined))[0] : undefined;
  if (!isObject(schema)) throw new Error(`OpenAPI v2: ${at} has no schema`);
  return swaggerSchema(schema, at);
}

/** A v3 operation in Swagger 2.0: the request body becomes a `body` parameter, each parameter's schema its own keywords. */
function swaggerOperation(operation: JsonSchema, at: string): JsonSchema {
  expectOnly(operation, ['operationId', 'parameters', 'requestBody', 'responses'], at);
  const { parameters = [], requestBody, responses, ...rest } = operation as { parameters?: JsonSchema[]; requestBody?: JsonSchema; responses: Record<string, JsonSchema> };
  const body = requestBody === undefined ? [] : [{ name: 'body', in: 'body', required: true, schema: schemaOfContent(requestBody.content, `${at}.requestBody`) }];
  return {
    ...rest,
    ...(requestBody === undefined ? {} : { consumes: Object.keys(requestBody.content as object) }),
    produces: ['application/json'],
    parameters: [
      ...parameters.map((parameter, i) => {
        expectOnly(parameter, ['name', 'in', 'required', 'description', 'schema'], `${at}.parameters[${i}]`);
        const { schema, ...named } = parameter;
        return { ...named, ...(schema as JsonSchema) };
      }),
      ...body,
    ],
    responses: mapValues(responses, (response, code) => {
      expectOnly(response, ['description', 'content'], `${at}.responses.${code}`);
      return { description: response.description, schema: schemaOfContent(response.content, `${at}.responses.${code}`) };
    }),
  };
}

/** The Swagger 2.0 document: every definition, and the paths of every served group-version. */
export function swaggerDocument(): JsonSchema {
  const paths = Object.assign({}, ...groupVersions.map(openApiPaths)) as Record<string, Record<string, JsonSchema>>;
  return {
    swagger: '2.0',
    info: { title: 'everynode', version: versionInfo.gitVersion },
    paths: mapValues(paths, (operations, path) => mapValues(operations, (operation, method) => swaggerOperation(operation, `${method} ${path}`))),
    definitions: mapValues(openApiDefinitions(), (schema, name) => swaggerSchema(schema, name)),
  };
}

// ---- gnostic's protobuf ----------------------------------------------------------

type Message = Record<string, unknown>;

/**
 * A value as gnostic's `Any` carries it: YAML text, which Kubernetes parses
 * (`VendorExtensionToMap`). Written as JSON, itself YAML, so that no
 * string reads back as something else under YAML 1.1 (`no`, `on`).
 */
const yamlAny = (value: unknown): Message => ({ yaml: JSON.stringify(value) });

/** The `x-` keys of `object`, as gnostic's `vendor_extension`. */
const vendorExtensions = (object: JsonSchema): Message[] =>
  Object.entries(object)
    .filter(([key]) => key.startsWith('x-'))
    .map(([name, value]) => ({ name, value: yamlAny(value) }));

/** The Swagger keywords written as a scalar field of gnostic's `Schema`, by field name. */
const scalarSchemaFields: Record<string, string> = {
  format: 'format',
  title: 'title',
  description: 'description',
  multipleOf: 'multiple_of',
  maximum: 'maximum',
  exclusiveMaximum: 'exclusive_maximum',
  minimum: 'minimum',
  exclusiveMinimum: 'exclusive_minimum',
  maxLength: 'max_length',
  minLength: 'min_length',
  pattern: 'pattern',
  maxItems: 'max_items',
  minItems: 'min_items',
  uniqueItems: 'unique_items',
  maxProperties: 'max_properties',
  minProperties: 'min_properties',
  required: 'required',
  discriminator: 'discriminator',
  readOnly: 'read_only',
};

/** A Swagger 2.0 schema as gnostic's `Schema` message. */
function gnosticSchema(schema: JsonSchema): Message {
  const out: Message = { vendor_extension: vendorExtensions(schema) };
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-')) continue;
    const scalar = scalarSchemaFields[key];
    if (scalar !== undefined) out[scalar] = value;
    else if (key === '$ref') out._ref = value;
    else if (key === 'type') out.type = { value: [value].flat() };
    else if (key === 'items') out.items = { schema: [value].flat().map((item) => gnosticSchema(item as JsonSchema)) };
    else if (key === 'allOf') out.all_of = (value as JsonSchema[]).map(gnosticSchema);
    else if (key === 'properties') out.properties = { additional_properties: namedSchemas(value as Record<string, JsonSchema>) };
    else if (key === 'additionalProperties') out.additional_properties = typeof value === 'boolean' ? { boolean: value } : { schema: gnosticSchema(value as JsonSchema) };
    else if (key === 'default' || key === 'example') out[key] = yamlAny(value);
    else if (key === 'enum') out.enum = (value as unknown[]).map(yamlAny);
    else throw new Error(`OpenAPI v2: no gnostic Schema field for ${key}`);
  }
  return out;
}

const namedSchemas = (schemas: Record<string, JsonSchema>): Message[] => Object.entries(schemas).map(([name, value]) => ({ name, value: gnosticSchema(value) }));

/** A Swagger 2.0 parameter as gnostic's `ParametersItem`: a body, query or path parameter. */
function gnosticParameter(parameter: JsonSchema): Message {
  const { name, in: location, required = false, description = '', schema, type, uniqueItems = false } = parameter;
  if (location === 'body') return { parameter: { body_parameter: { name, in: location, required, description, schema: gnosticSchema(schema as JsonSchema) } } };
  const sub = { name, in: location, required, description, type, unique_items: uniqueItems };
  if (location === 'query') return { parameter: { non_body_parameter: { query_parameter_sub_schema: sub } } };
  if (location === 'path') return { parameter: { non_body_parameter: { path_parameter_sub_schema: sub } } };
  throw new Error(`OpenAPI v2: no gnostic parameter in ${String(location)}`);
}

/** A Swagger 2.0 operation as gnostic's `Operation`. */
function gnosticOperation(operation: JsonSchema): Message {
  const { operationId, consumes = [], produces = [], parameters, responses } = operation as {
    operationId: string;
    consumes?: string[];
    produces?: string[];
    parameters: JsonSchema[];
    responses: Record<string, JsonSchema>;
  };
  return {
    operation_id: operationId,
    consumes,
    produces,
    parameters: parameters.map(gnosticParameter),
    responses: {
      response_code: Object.entries(responses).map(([code, { description, schema }]) => ({
        name: code,
        value: { response: { description, schema: { schema: gnosticSchema(schema as JsonSchema) } } },
      })),
    },
    vendor_extension: vendorExtensions(operation),
  };
}

/** The Swagger 2.0 `document` as a plain `openapi.v2.Document` message, field names as the .proto spells them. */
function gnosticDocument(document: JsonSchema): Message {
  const { swagger, info, paths, definitions } = document as { swagger: string; info: JsonSchema; paths: Record<string, Record<string, JsonSchema>>; definitions: Record<string, JsonSchema> };
  return {
    swagger,
    info,
    paths: { path: Object.entries(paths).map(([name, operations]) => ({ name, value: mapValues(operations, gnosticOperation) })) },
    definitions: { additional_properties: namedSchemas(definitions) },
  };
}

/** gnostic's `openapi.v2.Document`, read from `openapi-v2.proto` (field names kept as written there). */
export function documentType(): protobuf.Type {
  const proto = readFileSync(new URL('./openapi-v2.proto', import.meta.url), 'utf8');
  return protobuf.parse(proto, { keepCase: true }).root.lookupType('openapi.v2.Document');
}

/** The `/openapi/v2` document in the two encodings served. */
export interface OpenApiV2 {
  /** Swagger 2.0 JSON. */
  readonly json: string;
  /** gnostic's protobuf `openapi_v2.Document`, what kubectl asks for. */
  readonly protobuf: Buffer;
}

let encoded: OpenApiV2 | undefined;

/** `/openapi/v2`, built and encoded once. */
export function openApiV2(): OpenApiV2 {
  if (!encoded) {
    const document = swaggerDocument();
    const type = documentType();
    const message = type.fromObject(gnosticDocument(document));
    encoded = { json: JSON.stringify(document), protobuf: Buffer.from(type.encode(message).finish()) };
  }
  return encoded;
}
