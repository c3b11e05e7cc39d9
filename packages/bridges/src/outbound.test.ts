import type { PodCommand } from '@everynode/api';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type CommandSink, startOutboundBridge } from './outbound.ts';

const command = (id: string) => ({ specversion: '1.0', id, source: 's', type: 'io.everynode.pod.create', subject: 'n1', time: '2026-12-01T00:00:00Z', data: {} }) as unknown as PodCommand;

describe('outbound bridge', () => {
  it('keeps going when reading the log fails for a while: waits, reads its checkpoint again, delivers', async () => {
    let failures = 2;
    let checkpoint = 0;
    const delivered: string[] = [];
    const sink: CommandSink = { kind: 'test', target: 't', deliver: async (c) => void delivered.push(c.id), close: async () => {} };
    const bridge = await startOutboundBridge({
      name: 'b',
      history: {
        readCommands: async ({ after = 0 }) => {
          if (failures-- > 0) throw new Error('Redis unreachable');
          return after < 3 ? { items: [{ seq: 3, command: command('c3') }], next: 3 } : { items: [], next: after };
        },
        lastSeq: async () => 3,
      },
      checkpoints: { get: async () => checkpoint, set: async (_n, seq) => void (checkpoint = Math.max(checkpoint, seq)) },
      ingress: { park: async () => {} },
      sink,
      pollMs: 5,
      backoffMs: 5,
      logger: pino({ level: 'silent' }),
    });
    const deadline = Date.now() + 5000;
    while (checkpoint < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await bridge.close();
    expect(delivered).toEqual(['c3']);
    expect(checkpoint).toBe(3);
    expect(failures).toBeLessThan(0);
  });

  it('is not healthy while its sink fails and it retries; healthy again once the sink takes the command', async () => {
    let sinkUp = false;
    const attempts: string[] = [];
    const sink: CommandSink = {
      kind: 'test',
      target: 't',
      deliver: async (c) => {
        attempts.push(c.id);
        if (!sinkUp) throw new Error('connection refused');
      },
      close: async () => {},
    };
    const bridge = await startOutboundBridge({
      name: 'b',
      history: { readCommands: async ({ after = 0 }) => (after < 3 ? { items: [{ seq: 3, command: command('c3') }], next: 3 } : { items: [], next: after }), lastSeq: async () => 3 },
      checkpoints: { get: async () => 0, set: async () => {} },
      ingress: { park: async () => {} },
      sink,
      pollMs: 5,
      backoffMs: 5,
      maxBackoffMs: 20,
      logger: pino({ level: 'silent' }),
    });
    try {
      expect(bridge.healthy()).toBe(true);
      const until = async (what: () => boolean) => {
        const deadline = Date.now() + 5000;
        while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      };
      await until(() => attempts.length >= 2);
      expect(bridge.healthy()).toBe(false);
      expect(bridge.delivered).toBe(0);
      sinkUp = true;
      await until(() => bridge.delivered === 1);
      expect(bridge.delivered).toBe(1);
      expect(bridge.healthy()).toBe(true);
    } finally {
      await bridge.close();
    }
  });
});
