/**
 * The CloudEvents HTTP protocol binding (v1.0.2) for `POST /events`: which
 * content mode a request uses, and the events it carries.
 *
 * - structured: `application/cloudevents+json`, one event as a JSON object;
 * - batch: `application/cloudevents-batch+json`, a JSON array of events;
 * - binary: `ce-*` headers are the attributes, the body is `data` and its
 *   `Content-Type` is `datacontenttype`.
 *
 * Plain `application/json` without `ce-specversion` is read as structured
 * (an object) or batch (an array), which is what `curl -d @events.json`
 * sends. Only the envelope's shape is checked here; the engine validates
 * each event and refuses bad ones one by one.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { truncateText } from '@everynode/api';
import { utf8Text } from './json-body.ts';
import { badRequest, StatusError } from './status.ts';

export const StructuredMediaType = 'application/cloudevents+json';
export const BatchMediaType = 'application/cloudevents-batch+json';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A header's text; repeated headers are joined as HTTP folds them. */
function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** `application/json; charset=utf-8` → `application/json`. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** JSON media types: `application/json`, `text/json` and any `…+json`. */
export function isJsonMediaType(media: string): boolean {
  return media === 'application/json' || media === 'text/json' || media.endsWith('+json');
}

/** The binding percent-encodes header values outside printable ASCII; a malformed escape is kept as sent. */
function decodeHeaderValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * `data` of a binary-mode event. JSON bodies arrive parsed (fastify's JSON
 * parser) or raw (other `+json` types, parsed here); anything else is text.
 */
function binaryData(body: unknown, media: string): unknown {
  if (!Buffer.isBuffer(body)) return body;
  if (body.length === 0) return undefined;
  // Text or JSON, the data is kept as text: bytes that are not UTF-8 are refused, not replaced.
  const text = utf8Text(body);
  if (!isJsonMediaType(media)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new StatusError(badRequest(`the body is not valid JSON (${media}): ${(error as Error).message}`));
  }
}

/** A binary-mode event: every `ce-` header is an attribute (`ce-specversion` → `specversion`). */
function binaryEvent(headers: IncomingHttpHeaders, body: unknown): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    const text = headerText(value);
    if (name.startsWith('ce-') && text !== undefined) event[name.slice(3)] = decodeHeaderValue(text);
  }
  const contentType = headerText(headers['content-type']);
  if (contentType !== undefined) event.datacontenttype = contentType;
  const data = binaryData(body, mediaTypeOf(contentType));
  if (data !== undefined) event.data = data;
  return event;
}

/** The events a `POST /events` request carries, in order; a body of the wrong shape is a 400. */
export function eventsOfRequest(headers: IncomingHttpHeaders, body: unknown): unknown[] {
  const contentType = headerText(headers['content-type']);
  const media = mediaTypeOf(contentType);
  if (media === BatchMediaType) {
    if (!Array.isArray(body)) throw new StatusError(badRequest(`a batch (${BatchMediaType}) must be a JSON array of CloudEvents`));
    return body;
  }
  if (media === StructuredMediaType) {
    if (!isObject(body)) throw new StatusError(badRequest(`a structured-mode event (${StructuredMediaType}) must be a JSON object`));
    return [body];
  }
  if (headers['ce-specversion'] !== undefined) return [binaryEvent(headers, body)];
  if (media === 'application/json') {
    if (Array.isArray(body)) return body;
    if (isObject(body)) return [body];
    throw new StatusError(badRequest('the body must be a CloudEvent (a JSON object) or a JSON array of CloudEvents'));
  }
  throw new StatusError(
    badRequest(
      `unsupported content type ${JSON.stringify(truncateText(contentType ?? ''))}: send one CloudEvent as ${StructuredMediaType} or application/json, ` +
        `a batch as ${BatchMediaType}, or a binary-mode event with ce-* headers`,
    ),
  );
}
