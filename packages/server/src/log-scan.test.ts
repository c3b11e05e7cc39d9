import { describe, expect, it } from 'vitest';
import type { History, LogEntry } from '@everynode/engine';
import { logPageSize, scanLog } from './log-scan.ts';

/** A reader over a log of `n` passes, recording each read. */
function fakeReader(n: number): { reader: History; reads: { after?: number; limit?: number }[] } {
  const log: LogEntry[] = Array.from({ length: n }, (_, i) => ({ seq: i + 1, kind: 'pass', at: '2026-11-28T12:00:00Z', daemonSet: 'ns/ds', decisions: [], causes: [] }));
  const reads: { after?: number; limit?: number }[] = [];
  const readLog = async (options: { after?: number; limit?: number } = {}) => {
    reads.push(options);
    return log.filter((e) => e.seq > (options.after ?? 0)).slice(0, options.limit ?? 100);
  };
  return { reader: { readLog } as unknown as History, reads };
}

describe('scanLog', () => {
  it('visits every entry in order, one bounded page at a time', async () => {
    const { reader, reads } = fakeReader(2 * logPageSize + 5);
    const seen: number[] = [];
    await scanLog(reader, (e) => seen.push(e.seq));
    expect(seen).toEqual(Array.from({ length: 2 * logPageSize + 5 }, (_, i) => i + 1));
    expect(reads).toEqual([
      { after: 0, limit: logPageSize },
      { after: logPageSize, limit: logPageSize },
      { after: 2 * logPageSize, limit: logPageSize },
    ]);
  });

  it('visits only (after, until]', async () => {
    const { reader } = fakeReader(50);
    const seen: number[] = [];
    await scanLog(reader, (e) => seen.push(e.seq), { after: 10, until: 13 });
    expect(seen).toEqual([11, 12, 13]);
  });
});
