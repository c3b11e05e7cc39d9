/**
 * `kubectl describe ds` (`describeDaemonSet`, `DescribeEvents` in
 * pkg/describe/describe.go), line for line: the header fields aligned by
 * the tab writer, the five counters unaligned (they have no tab), the pod
 * template, then the Events table in a block of its own.
 */
import type { DaemonSet, Pod } from '@everynode/api';
import { ageOf, controllerOf, formatLabelSelector, formatLabels } from '@everynode/api';
import type { KubeEvent } from '@everynode/client';
import { annotationsBlock, describePodTemplate, labelsBlock } from './pod-template.ts';
import { TabWriter } from './tabwriter.ts';

/** `Pods Status:` counts, as `getPodStatusForController` makes them. */
export interface PodPhaseCounts {
  readonly running: number;
  /** Pending pods. */
  readonly waiting: number;
  readonly succeeded: number;
  readonly failed: number;
}

/** Count the phases of the pods `ds` controls (by owner uid, as kubectl does; others are ignored). */
export function podPhaseCounts(ds: DaemonSet, pods: readonly Pod[]): PodPhaseCounts {
  const counts = { running: 0, waiting: 0, succeeded: 0, failed: 0 };
  for (const pod of pods) {
    if (controllerOf(pod.metadata)?.uid !== ds.metadata.uid) continue;
    const phase = pod.status?.phase ?? 'Pending';
    if (phase === 'Running') counts.running++;
    else if (phase === 'Pending') counts.waiting++;
    else if (phase === 'Succeeded') counts.succeeded++;
    else if (phase === 'Failed') counts.failed++;
  }
  return counts;
}

function header(ds: DaemonSet, counts: PodPhaseCounts): string {
  const status = ds.status;
  return (
    `Name:\t${ds.metadata.name ?? ''}\n` +
    `Namespace:\t${ds.metadata.namespace ?? ''}\n` +
    `Selector:\t${formatLabelSelector(ds.spec.selector)}\n` +
    `Node-Selector:\t${formatLabels(ds.spec.template.spec.nodeSelector)}\n` +
    labelsBlock('Labels', ds.metadata.labels) +
    annotationsBlock('Annotations', ds.metadata.annotations) +
    `Desired Number of Nodes Scheduled: ${status?.desiredNumberScheduled ?? 0}\n` +
    `Current Number of Nodes Scheduled: ${status?.currentNumberScheduled ?? 0}\n` +
    `Number of Nodes Scheduled with Up-to-date Pods: ${status?.updatedNumberScheduled ?? 0}\n` +
    `Number of Nodes Scheduled with Available Pods: ${status?.numberAvailable ?? 0}\n` +
    `Number of Nodes Misscheduled: ${status?.numberMisscheduled ?? 0}\n` +
    `Pods Status:\t${counts.running} Running / ${counts.waiting} Waiting / ${counts.succeeded} Succeeded / ${counts.failed} Failed\n`
  );
}

/** `2m`, or `30s (x3 over 5m)` for a repeated Event. */
function eventAge(event: KubeEvent, now: Date): string {
  const first = ageOf(event.firstTimestamp, now);
  const count = event.count ?? 1;
  return count > 1 ? `${ageOf(event.lastTimestamp, now)} (x${count} over ${first})` : first;
}

/** The Events section; kubectl sorts by last timestamp (stably here, so equal times keep log order). */
function writeEvents(out: TabWriter, events: readonly KubeEvent[], now: Date): void {
  if (events.length === 0) {
    // No flush first: `<none>` aligns with the template's last block, as in kubectl.
    out.write('Events:\t<none>\n');
    return;
  }
  out.flush();
  const sorted = [...events].sort((a, b) => Date.parse(a.lastTimestamp ?? '') - Date.parse(b.lastTimestamp ?? ''));
  out.write('Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n');
  for (const e of sorted) {
    const from = e.source?.component || e.reportingComponent || '';
    out.write(`  ${e.type}\t${e.reason}\t${eventAge(e, now)}\t${from}\t${e.message.trim()}\n`);
  }
}

/**
 * The whole description. `events` undefined leaves the section out, as
 * kubectl does when it could not list them.
 */
export function describeDaemonSet(ds: DaemonSet, pods: readonly Pod[], events: readonly KubeEvent[] | undefined, now: Date): string {
  const out = new TabWriter(2);
  out.write(header(ds, podPhaseCounts(ds, pods)));
  out.write(describePodTemplate(ds.spec.template));
  if (events !== undefined) writeEvents(out, events, now);
  return out.toString();
}
