/**
 * The `everynode log` table: one row per log entry — for an event its
 * CloudEvent type and object, and who sent it through the API (`by alice`,
 * the token's name), for a reconcile pass its DaemonSet and what it decided
 * (`create 3, delete 1, status`).
 */
import { EventType, eventObject, UserAttribute } from '@everynode/api';
import type { Decision } from '@everynode/daemonset';
import type { EventEntry, LogEntry, PassEntry } from '@everynode/client';
import { renderTable } from './table.ts';

const headers = ['SEQ', 'TIME', 'KIND', 'TYPE', 'OBJECT', 'DETAIL'];

/** The word a decision is counted under; `status` is shown without a count. */
function verbOf(decision: Decision): string {
  switch (decision.type) {
    case 'PodCreateRequested':
      return 'create';
    case 'PodDeleteRequested':
      return 'delete';
    case 'PodAdopted':
      return 'adopt';
    case 'PodReleased':
      return 'release';
    case 'PodRelabeled':
      return 'relabel';
    case 'RevisionCreated':
      return 'new revision';
    case 'RevisionRenumbered':
      return 'renumber revision';
    case 'RevisionDeleted':
      return 'delete revision';
    case 'FailedPodBackoffRecorded':
      return 'backoff';
    case 'DaemonSetStatusUpdated':
      return 'status';
    case 'FinalizerRemoved':
      return 'finalize';
    default: {
      const unknown: never = decision;
      return (unknown as { type: string }).type;
    }
  }
}

/** `create 3, delete 1, status`, in first-seen order; `no change` for an empty pass. */
export function summarizeDecisions(decisions: readonly Decision[]): string {
  const counts = new Map<string, number>();
  for (const d of decisions) {
    const verb = verbOf(d);
    counts.set(verb, (counts.get(verb) ?? 0) + 1);
  }
  if (counts.size === 0) return 'no change';
  return [...counts].map(([verb, n]) => (verb === 'status' ? verb : `${verb} ${n}`)).join(', ');
}


function eventDetail(entry: EventEntry): string {
  const parts: string[] = [];
  if (entry.event.type === EventType.PodStatus) {
    const pod = entry.event.data;
    const ready = pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    parts.push(`${pod.status.phase}${ready ? ' (ready)' : ''} on ${pod.spec.nodeName}`);
  }
  if (!entry.applied) parts.push(`ignored: ${entry.ignored ?? 'no change'}`);
  const user = entry.event[UserAttribute];
  if (user !== undefined) parts.push(`by ${user}`);
  return parts.join(', ');
}

function passRow(entry: PassEntry): string[] {
  return [String(entry.seq), entry.at, 'pass', 'reconcile', `daemonset.apps/${entry.daemonSet}`, summarizeDecisions(entry.decisions)];
}

function eventRow(entry: EventEntry): string[] {
  return [String(entry.seq), entry.at, 'event', entry.event.type, eventObject(entry.event), eventDetail(entry)];
}

/** The table for `entries`. */
export function logTable(entries: readonly LogEntry[]): string {
  return renderTable(headers, entries.map((e) => (e.kind === 'pass' ? passRow(e) : eventRow(e))));
}
