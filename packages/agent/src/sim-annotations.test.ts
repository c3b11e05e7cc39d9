import { describe, expect, it } from 'vitest';
import { behaviourOf, podBehaviourOf, SimAnnotation } from './sim-annotations.ts';

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

describe('podBehaviourOf', () => {
  const slowNode = { [SimAnnotation.StartDelayMs]: '400' };
  const failingNode = { [SimAnnotation.FailPods]: 'true' };

  it('takes the node behaviour for a pod without annotations', () => {
    expect(podBehaviourOf(slowNode, undefined, 50)).toEqual({ behaviour: { startDelayMs: 400, failPods: false } });
    expect(podBehaviourOf(undefined, {}, 50)).toEqual({ behaviour: { startDelayMs: 50, failPods: false } });
  });

  it('fails a pod annotated fail-pods on a healthy node', () => {
    expect(podBehaviourOf(slowNode, { [SimAnnotation.FailPods]: 'true' }, 50).behaviour).toEqual({ startDelayMs: 400, failPods: true });
  });

  it('fails every pod on a failing node, whatever the pod says', () => {
    expect(podBehaviourOf(failingNode, { [SimAnnotation.FailPods]: 'false' }, 50).behaviour.failPods).toBe(true);
  });

  it("lets the pod's start delay override the node's", () => {
    expect(podBehaviourOf(slowNode, { [SimAnnotation.StartDelayMs]: '7' }, 50).behaviour.startDelayMs).toBe(7);
    expect(podBehaviourOf(undefined, { [SimAnnotation.StartDelayMs]: '0' }, 50).behaviour.startDelayMs).toBe(0);
  });

  it("falls back to the node's start delay, with a warning, when the pod's is unusable", () => {
    const reading = podBehaviourOf(slowNode, { [SimAnnotation.StartDelayMs]: 'soon' }, 50);

    expect(reading.behaviour.startDelayMs).toBe(400);
    expect(reading.warning).toContain('"soon"');
  });

  it('reports both warnings when both delays are unusable', () => {
    const reading = podBehaviourOf({ [SimAnnotation.StartDelayMs]: 'x' }, { [SimAnnotation.StartDelayMs]: 'y' }, 50);

    expect(reading.behaviour.startDelayMs).toBe(50);
    expect(reading.warning).toMatch(/"x".*; .*"y"/);
  });
});
