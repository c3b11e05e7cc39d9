import { ApiError } from '@everynode/client';
import { describe, expect, it } from 'vitest';
import { retryOnConflict } from './conflict-retry.ts';

const conflict = () => new ApiError(409, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the object has been modified', reason: 'Conflict', code: 409 }, '');

describe('retryOnConflict', () => {
  it('reads and writes again after a 409, and answers what the try that got through answered', async () => {
    let tries = 0;
    const answer = await retryOnConflict(async () => {
      tries++;
      if (tries < 3) throw conflict();
      return 'written';
    });
    expect(answer).toBe('written');
    expect(tries).toBe(3);
  });

  it('gives the conflict back after five tries', async () => {
    let tries = 0;
    await expect(
      retryOnConflict(async () => {
        tries++;
        throw conflict();
      }),
    ).rejects.toMatchObject({ status: 409 });
    expect(tries).toBe(5);
  });

  it('does not retry any other error', async () => {
    let tries = 0;
    await expect(
      retryOnConflict(async () => {
        tries++;
        throw new ApiError(422, undefined, 'invalid');
      }),
    ).rejects.toMatchObject({ status: 422 });
    expect(tries).toBe(1);
  });
});
