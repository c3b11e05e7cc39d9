/**
 * A pod command as a bus message in either CloudEvents content mode, the
 * one encoding every sink uses (the inverse of `decode.ts`):
 *
 * - binary: each attribute a header named with the binding's prefix (`ce-`
 *   for HTTP and NATS, `ce_` for Kafka, `cloudEvents_` for AMQP, none for
 *   MQTT 5 user properties), `content-type` the data's content type, the
 *   body the data as JSON;
 * - structured: `content-type: application/cloudevents+json`, the body the
 *   whole event as JSON.
 */
import type { PodCommand } from '@everynode/api';

export type ContentMode = 'binary' | 'structured';

export interface EncodedMessage {
  /** `content-type`, and in binary mode the attributes by their prefixed names. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

export const structuredContentType = 'application/cloudevents+json; charset=utf-8';

export function encodeCommand(command: PodCommand, mode: ContentMode, prefix = 'ce-'): EncodedMessage {
  if (mode === 'structured') return { headers: { 'content-type': structuredContentType }, body: JSON.stringify(command) };
  const { data, datacontenttype, ...attributes } = command;
  const headers: Record<string, string> = { 'content-type': datacontenttype ?? 'application/json' };
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) headers[`${prefix}${key}`] = String(value);
  return { headers, body: JSON.stringify(data) };
}
