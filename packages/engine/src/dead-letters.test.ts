import { describe, expect, it } from 'vitest';
import { deadLetterData } from './dead-letters.ts';

const at = new Date('2026-12-01T10:00:00Z');
const refused = (message: unknown, reason = 'data: required') => ({ kind: 'refused' as const, message, reason });

describe('deadLetterData', () => {
  it('keeps a small message as it came, with its reason, origin and job', () => {
    const origin = { bus: 'nats', subject: 'nodes', offset: '7' };
    expect(deadLetterData({ ...refused({ id: 'x' }), origin, jobId: '12' }, 1024, at)).toEqual({ event: { id: 'x' }, reason: 'data: required', at: at.toISOString(), origin, jobId: '12' });
  });

  it('keeps only the first maxBytes of a big message, as JSON text, with its size', () => {
    const message = { id: 'big', filler: 'x'.repeat(200_000) };
    const data = deadLetterData(refused(message), 64 * 1024, at);
    expect(data.keptAsText).toEqual({ bytes: JSON.stringify(message).length, kept: 64 * 1024 });
    expect(typeof data.event).toBe('string');
    expect(JSON.stringify(message).startsWith(data.event as string)).toBe(true);
  });

  it('keeps a message nested too deep to store as JSON as its text, whole when it is small', () => {
    let deep: unknown = [];
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const data = deadLetterData(refused(deep), 64 * 1024, at);
    expect(data.keptAsText).toEqual({ bytes: 20_002, kept: 20_002 });
    expect(data.event).toBe(`${'['.repeat(10_001)}${']'.repeat(10_001)}`);
  });

  it('cuts a parked text as text, never half a character', () => {
    const data = deadLetterData({ kind: 'parked', message: 'é'.repeat(100), reason: 'not JSON' }, 11, at);
    expect(data).toMatchObject({ event: 'é'.repeat(5), keptAsText: { bytes: 200, kept: 10 } });
  });

  it('cuts a reason of more than 4096 characters', () => {
    expect(deadLetterData(refused({}, 'r'.repeat(10_000)), 1024, at).reason).toBe(`${'r'.repeat(4096)}…(10000 bytes)`);
  });
});
