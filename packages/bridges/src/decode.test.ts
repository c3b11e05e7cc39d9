import { type CloudEvent, HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from './decode.ts';
import type { InboundMessage } from './source.ts';

const origin = { bus: 'test', subject: 's' };
const bytes = (s: string) => new TextEncoder().encode(s);
const msg = (body: string | Uint8Array, headers: InboundMessage['headers'] = {}): InboundMessage => ({
  body: typeof body === 'string' ? bytes(body) : body,
  headers,
  origin,
});
const node = { metadata: { name: 'n0' } };
const attributes = { specversion: '1.0', id: 'e1', source: 'src', type: 'io.everynode.node.joined' };

describe('decodeMessage — binary mode', () => {
  const styles: [string, (name: string) => string][] = [
    ['ce- (HTTP, NATS)', (n) => `ce-${n}`],
    ['ce_ (Kafka)', (n) => `ce_${n}`],
    ['cloudEvents_ (AMQP)', (n) => `cloudEvents_${n}`],
    ['cloudEvents: (AMQP)', (n) => `cloudEvents:${n}`],
    ['upper case', (n) => `CE-${n.toUpperCase()}`],
    ['MQTT 5 user properties', (n) => n],
  ];
  for (const [style, name] of styles) {
    it(`reads attributes from ${style} headers and the JSON body as data`, () => {
      const headers = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [name(k), v]));
      const result = decodeMessage(msg(JSON.stringify(node), { ...headers, 'content-type': 'application/json' }));
      expect(result).toEqual({ ok: true, event: { ...attributes, datacontenttype: 'application/json', data: node } });
    });
  }

  it('percent-decodes header values and honours a ce-datacontenttype when there is no content-type', () => {
    expect(decodeMessage(msg('{}', { 'ce-id': 'x', 'ce-subject': 'caf%C3%A9 100%25' }))).toMatchObject({ ok: true, event: { subject: 'café 100%' } });
    expect(decodeMessage(msg('plain', { 'ce-id': 'x', 'ce-datacontenttype': 'text/plain' }))).toEqual({ ok: true, event: { id: 'x', datacontenttype: 'text/plain', data: 'plain' } });
  });

  it('takes the first value of a header given twice', () => {
    const result = decodeMessage(msg('{}', { 'ce-specversion': '1.0', 'ce-id': ['a', 'b'] }));
    expect(result).toMatchObject({ ok: true, event: { id: 'a', data: {} } });
  });

  it('keeps an event with no body without data', () => {
    expect(decodeMessage(msg('', { 'ce-specversion': '1.0', 'ce-id': 'x' }))).toEqual({ ok: true, event: { specversion: '1.0', id: 'x' } });
  });

  it('keeps a text body of a non-JSON content type as text data, and non-UTF-8 as data_base64', () => {
    expect(decodeMessage(msg('hello', { 'ce-id': 'x', 'content-type': 'text/plain' }))).toMatchObject({ ok: true, event: { data: 'hello', datacontenttype: 'text/plain' } });
    const raw = new Uint8Array([0xff, 0xfe, 0x00]);
    expect(decodeMessage(msg(raw, { 'ce-id': 'x', 'content-type': 'application/octet-stream' }))).toMatchObject({ ok: true, event: { data_base64: '//4A' } });
  });

  it('refuses a JSON content type whose body is not JSON, naming the body', () => {
    const result = decodeMessage(msg('{not json', { 'ce-id': 'x', 'content-type': 'application/json' }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^body: not a JSON document \(.+\)$/);
  });

  it('refuses a body that is not UTF-8 when it must be JSON', () => {
    expect(decodeMessage(msg(new Uint8Array([0xc3, 0x28]), { 'ce-id': 'x' }))).toEqual({ ok: false, reason: 'body: not valid UTF-8' });
  });
});

describe('decodeMessage agrees with the cloudevents SDK (HTTP.toEvent) on ce- headers', () => {
  const event = { ...attributes, time: '2026-05-01T00:00:00.000Z', data: node };
  const { data, ...rest } = event;
  const binary = { headers: { ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [`ce-${k}`, v])), 'content-type': 'application/json' }, body: JSON.stringify(data) };
  const structured = { headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) };
  for (const [mode, m] of [['binary', binary], ['structured', structured]] as const) {
    it(mode, () => {
      const sdk = (HTTP.toEvent(m) as CloudEvent<unknown>).toJSON();
      const ours = decodeMessage(msg(m.body, m.headers));
      expect(ours.ok).toBe(true);
      const mine = ours.ok ? (ours.event as Record<string, unknown>) : {};
      for (const key of ['specversion', 'id', 'source', 'type', 'time', 'data']) expect(mine[key], key).toEqual(sdk[key]);
    });
  }
});

describe('decodeMessage — structured mode', () => {
  const event = { ...attributes, data: node };
  it('reads the whole event from an application/cloudevents+json body (ce- headers ignored)', () => {
    const result = decodeMessage(msg(JSON.stringify(event), { 'content-type': 'application/cloudevents+json; charset=utf-8', 'ce-id': 'other' }));
    expect(result).toEqual({ ok: true, event });
  });

  it('reads a JSON body with specversion and no ce- headers', () => {
    expect(decodeMessage(msg(JSON.stringify(event)))).toEqual({ ok: true, event });
    expect(decodeMessage(msg(JSON.stringify(event), { 'content-type': 'application/json' }))).toEqual({ ok: true, event });
  });

  it('refuses bad bodies, naming the part', () => {
    const reason = (m: InboundMessage) => {
      const r = decodeMessage(m);
      return r.ok ? 'accepted' : r.reason;
    };
    expect(reason(msg('{"specversion": '))).toMatch(/^body: not a JSON document \(/);
    expect(reason(msg(new Uint8Array([0xff])))).toBe('body: not valid UTF-8');
    expect(reason(msg('[1,2]'))).toBe('body: a structured CloudEvent must be a JSON object');
    expect(reason(msg('{"id":"x"}'))).toMatch(/^body: not a CloudEvent \(no specversion/);
    expect(reason(msg('hello', { 'content-type': 'text/plain' }))).toMatch(/^headers: no CloudEvents attributes/);
    expect(reason(msg('[]', { 'content-type': 'application/cloudevents-batch+json' }))).toMatch(/^content-type: batched/);
  });
});

describe('decodeMessage — extensions the bus gives', () => {
  it('adds them in both modes where the event has no attribute of that name, and never overrides one', () => {
    const extensions = { partitionkey: 'worker01' };
    const binary = { ...msg('{}', { 'ce_specversion': '1.0', 'ce_id': 'e1', 'ce_source': 'src', 'ce_type': 't', 'content-type': 'application/json' }), extensions };
    expect(decodeMessage(binary)).toMatchObject({ ok: true, event: { id: 'e1', partitionkey: 'worker01' } });
    const structured = { ...msg(JSON.stringify(attributes), { 'content-type': 'application/cloudevents+json' }), extensions };
    expect(decodeMessage(structured)).toEqual({ ok: true, event: { ...attributes, partitionkey: 'worker01' } });
    const own = { ...msg(JSON.stringify({ ...attributes, partitionkey: 'mine' }), { 'content-type': 'application/cloudevents+json' }), extensions };
    expect(decodeMessage(own)).toEqual({ ok: true, event: { ...attributes, partitionkey: 'mine' } });
    expect(decodeMessage({ ...binary, headers: { ...binary.headers, ce_partitionkey: 'header' } })).toMatchObject({ ok: true, event: { partitionkey: 'header' } });
  });
});
