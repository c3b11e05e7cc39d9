import { describe, expect, it } from 'vitest';
import { behaviourOf, SimAnnotation } from './sim-annotations.ts';

describe('behaviourOf', () => {
  it('takes the defaults for a node without annotations', () => {
    expect(behaviourOf(undefined, 50)).toEqual({ behaviour: { startDelayMs: 50, failPods: false } });
    expect(behaviourOf({}, 50)).toEqual({ behaviour: { startDelayMs: 50, failPods: false } });
  });

  it('reads the start delay and fail-pods', () => {
    const annotations = { [SimAnnotation.StartDelayMs]: '2000', [SimAnnotation.FailPods]: 'true' };

    expect(behaviourOf(annotations, 50)).toEqual({ behaviour: { startDelayMs: 2000, failPods: true } });
  });

  it('fails pods only for exactly "true"', () => {
    expect(behaviourOf({ [SimAnnotation.FailPods]: 'yes' }, 0).behaviour.failPods).toBe(false);
  });

  it.each(['-5', 'soon', '1.5', ''])('falls back to the default, with a warning, for start delay %j', (value) => {
    const reading = behaviourOf({ [SimAnnotation.StartDelayMs]: value }, 50);

    expect(reading.behaviour.startDelayMs).toBe(50);
    expect(reading.warning).toContain(SimAnnotation.StartDelayMs);
  });
});
