import { UnrecoverableError } from 'bullmq';
import { CommitRefused } from '@everynode/eventlog';
import { describe, expect, it } from 'vitest';
import { failFastOnRefusal } from './queues.ts';

describe('failFastOnRefusal', () => {
  it('fails a job at once when the commit script refused its commit, naming why', async () => {
    const refused = failFastOnRefusal(() => Promise.reject(new CommitRefused('op 3 (hsetseq): key {p}:causes:a is a set')));
    await expect(refused).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(refused).rejects.toThrow('is a set');
  });

  it('leaves any other error to be retried, and passes a result through', async () => {
    const lost = new Error('connection lost');
    await expect(failFastOnRefusal(() => Promise.reject(lost))).rejects.toBe(lost);
    await expect(failFastOnRefusal(() => Promise.resolve(7))).resolves.toBe(7);
  });
});
