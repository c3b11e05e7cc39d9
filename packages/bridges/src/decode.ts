/**
 * A bus message as a CloudEvent, in either content mode of the CloudEvents
 * protocol bindings:
 *
 * - structured: the body is the whole event as JSON — content-type
 *   `application/cloudevents+json`, or (no content-type saying otherwise) a
 *   JSON object body with `specversion` and no attribute headers;
 * - binary: the attributes are headers, the body is `data`. Header prefixes,
 *   matched case-insensitively: `ce-` (HTTP, NATS), `ce_` (Kafka),
 *   `cloudEvents_` and `cloudEvents:` (AMQP), values percent-decoded; an unprefixed `specversion`
 *   header (MQTT 5 user properties) makes the unprefixed attribute names
 *   count. `content-type` becomes `datacontenttype`. A JSON content type (or
 *   none) makes the body JSON `data`; a body that does not parse is refused.
 *   Another content type keeps the body as text `data` (or `data_base64`
 *   when it is not UTF-8).
 *
 * The message's `extensions` (attributes the bus knows, such as Kafka's key
 * as `partitionkey`) are added where the event has no attribute of that name.
 *
 * The result is not validated beyond that: the engine's ingress checks the
 * event (CloudEvents 1.0 and the schemas) and parks a refused one.
 */
import type { InboundMessage } from './source.ts';

export type Decoded = { readonly ok: true; readonly event: unknown } | { readonly ok: false; readonly reason: string };

const prefixes = ['ce-', 'ce_', 'cloudevents_', 'cloudevents:'];
/** The CloudEvents 1.0 context attributes an MQTT 5 message carries as unprefixed user properties (plus extensions we know of). */
const mqttAttributes = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'dataschema', 'traceparent', 'tracestate']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

function first(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

function text(body: Uint8Array): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

function parseJson(body: Uint8Array): { ok: true; value: unknown } | { ok: false; reason: string } {
  const s = text(body);
  if (s === undefined) return { ok: false, reason: 'body: not valid UTF-8' };
  try {
    return { ok: true, value: JSON.parse(s) as unknown };
  } catch (error) {
    return { ok: false, reason: `body: not a JSON document (${(error as Error).message})` };
  }
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase();
}

function isJsonType(type: string | undefined): boolean {
  return type === undefined || type === 'application/json' || type === 'text/json' || type.endsWith('+json');
}

/** A header value as the bindings encode it (percent-encoding of non-printable characters, `%` and `"`); kept as is when it is not. */
function percentDecoded(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The event attributes among `headers`, by their prefixed names; undefined when none. */
function binaryAttributes(headers: InboundMessage['headers']): Record<string, string> | undefined {
  const attributes: Record<string, string> = {};
  let found = false;
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    const prefix = prefixes.find((p) => lower.startsWith(p));
    const v = first(value);
    if (prefix === undefined || v === undefined) continue;
    attributes[lower.slice(prefix.length)] = percentDecoded(v);
    found = true;
  }
  if (found) return attributes;
  if (first(headers.specversion) === undefined) return undefined;
  for (const [name, value] of Object.entries(headers)) {
    const v = first(value);
    if (mqttAttributes.has(name.toLowerCase()) && v !== undefined) attributes[name.toLowerCase()] = v;
  }
  return attributes;
}

export function decodeMessage(message: InboundMessage): Decoded {
  const decoded = decodeBody(message);
  if (!decoded.ok || message.extensions === undefined) return decoded;
  const event = decoded.event as Record<string, unknown>;
  for (const [name, value] of Object.entries(message.extensions)) if (!(name in event)) event[name] = value;
  return decoded;
}

function decodeBody(message: InboundMessage): Decoded {
  const headers: Record<string, string | readonly string[] | undefined> = {};
  for (const [name, value] of Object.entries(message.headers)) headers[name.toLowerCase()] = value;
  const contentType = first(headers['content-type']);
  const type = mediaType(contentType);

  if (type === 'application/cloudevents-batch+json') return { ok: false, reason: 'content-type: batched CloudEvents are not accepted; send one event per message' };
  const attributes = type === 'application/cloudevents+json' ? undefined : binaryAttributes(headers);

  if (attributes === undefined) {
    if (type !== undefined && type !== 'application/cloudevents+json' && !isJsonType(type)) {
      return { ok: false, reason: `headers: no CloudEvents attributes (no ce- headers) and content-type ${contentType} is not a structured CloudEvent` };
    }
    const parsed = parseJson(message.body);
    if (!parsed.ok) return parsed;
    const event = parsed.value;
    if (typeof event !== 'object' || event === null || Array.isArray(event)) return { ok: false, reason: 'body: a structured CloudEvent must be a JSON object' };
    if (!('specversion' in event)) return { ok: false, reason: 'body: not a CloudEvent (no specversion attribute, and no ce- headers)' };
    return { ok: true, event };
  }

  const event: Record<string, unknown> = { ...attributes };
  if (contentType !== undefined) event.datacontenttype = contentType;
  if (message.body.length === 0) return { ok: true, event };
  // Some NATS producers carry `ce-datacontenttype` instead of `content-type`.
  if (isJsonType(type ?? mediaType(attributes.datacontenttype))) {
    const parsed = parseJson(message.body);
    if (!parsed.ok) return parsed;
    event.data = parsed.value;
    return { ok: true, event };
  }
  const s = text(message.body);
  if (s === undefined) event.data_base64 = Buffer.from(message.body).toString('base64');
  else event.data = s;
  return { ok: true, event };
}

/** A body for the dead-letter queue: its text when it is UTF-8, else base64 (marked so). */
export function printableBody(body: Uint8Array): string {
  return text(body) ?? `base64:${Buffer.from(body).toString('base64')}`;
}
