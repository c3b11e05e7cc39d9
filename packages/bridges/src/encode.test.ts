import { CloudEvent, HTTP, Kafka, MQTT, MQTTMessageFactory } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from './decode.ts';
import { encodeCommand } from './encode.ts';
import { sampleCommand } from './outbound-contract.ts';

const command = sampleCommand('cmd-1');

describe('the CloudEvents HTTP binding of a command', () => {
  it('binary: attributes as ce- headers, the data as the body', () => {
    const { headers, body } = encodeCommand(command, 'binary');
    expect(headers).toEqual({
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'cmd-1',
      'ce-source': 'everynode/daemonset-controller',
      'ce-type': 'io.everynode.pod.delete',
      'ce-time': '2026-12-01T10:00:00.000Z',
      'ce-subject': 'worker01',
    });
    expect(JSON.parse(body)).toEqual(command.data);
  });

  it('structured: the whole event as application/cloudevents+json', () => {
    const { headers, body } = encodeCommand(command, 'structured');
    expect(headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(JSON.parse(body)).toEqual(command);
  });
});

describe('the official CloudEvents SDK reads what the webhook sends', () => {
  for (const mode of ['binary', 'structured'] as const) {
    it(`in ${mode} mode, as the same event`, () => {
      const { headers, body } = encodeCommand(command, mode);
      const event = HTTP.toEvent({ headers, body });
      const received = Array.isArray(event) ? event[0] : event;
      expect(received).toMatchObject({ id: 'cmd-1', type: 'io.everynode.pod.delete', source: command.source, subject: 'worker01', time: command.time, data: command.data });
    });
  }
});

/** A decoded event's attributes and data, as the bindings must carry them across. */
const essence = (e: Record<string, unknown>) => ({ id: e.id, type: e.type, source: e.source, subject: e.subject, time: e.time, data: e.data });
const decoded = (body: Uint8Array | string, headers: Record<string, string | undefined>) => {
  const defined = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const result = decodeMessage({ body: typeof body === 'string' ? new TextEncoder().encode(body) : body, headers: defined, origin: { bus: 'test', subject: 'test' } });
  if (!result.ok) throw new Error(result.reason);
  return result.event as Record<string, unknown>;
};

describe("the official SDK's Kafka and MQTT bindings and ours agree, both ways", () => {
  const sdkEvent = new CloudEvent({ ...command, data: command.data });
  for (const mode of ['binary', 'structured'] as const) {
    it(`Kafka, ${mode}: the SDK reads what the Kafka sink sends, and our decoder what the SDK sends`, () => {
      const ours = encodeCommand(command, mode, 'ce_');
      const read = Kafka.toEvent({ key: 'worker01', value: ours.body, headers: ours.headers, body: ours.body } as Parameters<typeof Kafka.toEvent>[0]) as CloudEvent<unknown>;
      expect(essence(read as unknown as Record<string, unknown>)).toEqual(essence(command));
      // The SDK leaves a binary message's value as the data itself: a producer serialises it.
      const theirs = (mode === 'binary' ? Kafka.binary : Kafka.structured)(sdkEvent) as { headers: Record<string, string>; value: unknown };
      expect(essence(decoded(typeof theirs.value === 'string' ? theirs.value : JSON.stringify(theirs.value), theirs.headers))).toEqual(essence(command));
    });

    it(`MQTT 5, ${mode}: the SDK reads what the MQTT sink sends, and our decoder what the SDK sends (its undefined user properties dropped)`, () => {
      const ours = encodeCommand(command, mode, '');
      const { 'content-type': contentType, ...userProperties } = ours.headers;
      const read = MQTT.toEvent(MQTTMessageFactory(contentType as string, userProperties, JSON.parse(ours.body) as unknown)) as CloudEvent<unknown>;
      expect(essence(read as unknown as Record<string, unknown>)).toEqual(essence(command));
      const theirs = (mode === 'binary' ? MQTT.binary : MQTT.structured)(sdkEvent);
      const payload = typeof theirs.payload === 'string' ? theirs.payload : JSON.stringify(theirs.payload);
      const properties = (theirs['User Properties'] ?? {}) as Record<string, string | undefined>;
      expect(essence(decoded(payload, { ...properties, 'content-type': theirs.PUBLISH?.['Content Type'] }))).toEqual(essence(command));
    });
  }
});
