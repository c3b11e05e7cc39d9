import { HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
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
