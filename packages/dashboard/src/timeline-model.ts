/**
 * The log's entries as timeline lines: pure, so what the History tab says
 * about an entry is tested without a browser.
 */
import type { LogEntry } from '@everynode/api';

/** One line of the timeline. */
export interface TimelineLine {
  readonly seq: number;
  readonly at: string;
  readonly kind: 'event' | 'pass';
  /** `node.removed`, `pod.status`… (the CloudEvent type after `io.everynode.`), or `pass`. */
  readonly type: string;
  /** What it is about: the event's subject or object name, the pass's DaemonSet. */
  readonly object: string;
  /** The rest, in a few words: what a pass decided, why an event was ignored. */
  readonly detail: string;
}

const shortType = (type: string) => type.replace(/^io\.everynode\./, '');

/** The name an event's data carries (`metadata.namespace/name`), when its subject names nothing. */
function objectOfData(data: unknown): string {
  const metadata = (data as { metadata?: { name?: unknown; namespace?: unknown } } | undefined)?.metadata;
  if (typeof metadata?.name !== 'string') return '';
  return typeof metadata.namespace === 'string' ? `${metadata.namespace}/${metadata.name}` : metadata.name;
}

/** How many decisions of each type, as `2 PodCreateRequested, 1 PodDeleteRequested`; `no decisions` for none. */
export function decisionsSummary(decisions: readonly { readonly type: string }[]): string {
  if (decisions.length === 0) return 'no decisions';
  const counts = new Map<string, number>();
  for (const d of decisions) counts.set(d.type, (counts.get(d.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${n} ${type}`).join(', ');
}

/** `entry` as a timeline line. */
export function timelineLine(entry: LogEntry): TimelineLine {
  if (entry.kind === 'pass') {
    const causes = entry.causes.length ? `; caused by ${entry.causes.map((c) => `#${c}`).join(' ')}` : '';
    return { seq: entry.seq, at: entry.at, kind: 'pass', type: 'pass', object: entry.daemonSet, detail: `${decisionsSummary(entry.decisions)}${causes}` };
  }
  const event = entry.event as { type: string; subject?: string; data?: unknown };
  const detail = entry.ignored ? `ignored: ${entry.ignored}` : entry.applied ? '' : 'changed nothing';
  return { seq: entry.seq, at: entry.at, kind: 'event', type: shortType(event.type), object: event.subject ?? objectOfData(event.data), detail };
}
