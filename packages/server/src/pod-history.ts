/**
 * A pod's history from the log, for `explain pod`: the passes whose
 * decisions name the pod (create, delete, adopt, release, relabel), the
 * events whose data is the pod (status reports, deletion), the events that
 * caused those passes, and the node event that made its node qualify. Pods may be long gone, so the log is searched,
 * never the projection. Pure: entries in, explanation out.
 */
import { type ClusterEvent, EventType, eventObject, type ExplainEntry, type PodExplanation } from '@everynode/api';
import type { Decision } from '@everynode/daemonset';
import { causesOf, type EventEntry, type LogEntry, type LogSelector, type PassEntry, PassType } from '@everynode/engine';

// The explanation's shape is the wire's (`@everynode/api` `replies.ts`), which the client reads too.
export type { ExplainEntry, PodExplanation } from '@everynode/api';

type Meta = { namespace?: string; name?: string };

function metaOf(event: ClusterEvent): Meta {
  return ((event.data as { metadata?: Meta } | undefined)?.metadata ?? {}) as Meta;
}


/** Whether `decision` is about the pod `namespace/name`. */
function isAbout(decision: Decision, namespace: string, name: string): boolean {
  switch (decision.type) {
    case 'PodCreateRequested':
      return decision.pod.metadata.namespace === namespace && decision.pod.metadata.name === name;
    case 'PodDeleteRequested':
    case 'PodAdopted':
    case 'PodReleased':
    case 'PodRelabeled':
      return decision.namespace === namespace && decision.name === name;
    case 'RevisionCreated':
    case 'RevisionRenumbered':
    case 'RevisionDeleted':
    case 'FailedPodBackoffRecorded':
    case 'DaemonSetStatusUpdated':
    case 'FinalizerRemoved':
      return false;
    default: {
      const unknown: never = decision;
      return unknown;
    }
  }
}

/** What a decision did to the pod, in a few words. */
function decisionPhrase(decision: Decision): string {
  switch (decision.type) {
    case 'PodCreateRequested': {
      const hash = decision.pod.metadata.labels?.['controller-revision-hash'];
      return `create on node ${decision.node}${hash === undefined ? '' : ` (revision ${hash})`}`;
    }
    case 'PodDeleteRequested':
      return `delete from node ${decision.node} (${decision.reason}${decision.force ? ', forced: the node is gone' : ''})`;
    case 'PodAdopted':
      return `adopt (owner ${decision.owner.kind}/${decision.owner.name})`;
    case 'PodReleased':
      return 'release (its labels no longer match, or the DaemonSet was deleted with the Orphan policy)';
    case 'PodRelabeled':
      return `relabel to revision ${decision.hash}`;
    default:
      return decision.type;
  }
}

function causesText(causes: readonly number[]): string {
  return causes.length === 0 ? '' : `; caused by ${causes.map((seq) => `#${seq}`).join(', ')}`;
}

function passSummary(entry: PassEntry, decisions: readonly Decision[], causes: readonly number[]): string {
  return `reconcile daemonset.apps/${entry.daemonSet}: ${decisions.map(decisionPhrase).join(', ')}${causesText(causes)}`;
}

function podEventSummary(entry: EventEntry): string {
  const ignored = entry.applied ? '' : ` (ignored: ${entry.ignored ?? 'no change'})`;
  if (entry.event.type === EventType.PodStatus) {
    const pod = entry.event.data;
    const ready = pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    return `status reported by ${entry.event.source}: ${pod.status.phase}${ready ? ', ready' : ''} on node ${pod.spec.nodeName}${ignored}`;
  }
  return `deleted, reported by ${entry.event.source}${ignored}`;
}

/** A cause, as the line that says what it was. */
function causeEntry(entry: LogEntry, causeOf: readonly number[]): ExplainEntry {
  const of = `cause of ${causeOf.map((seq) => `#${seq}`).join(', ')}`;
  if (entry.kind === 'pass') {
    return { seq: entry.seq, at: entry.at, kind: 'pass', object: `daemonset.apps/${entry.daemonSet}`, summary: `${of}: reconcile daemonset.apps/${entry.daemonSet}`, causeOf };
  }
  const object = eventObject(entry.event);
  return { seq: entry.seq, at: entry.at, kind: 'event', type: entry.event.type, object, summary: `${of}: ${entry.event.type} ${object}`, causeOf };
}

/**
 * Collects one pod's history over reads of the log, each told by index
 * lines what it may skip unread: `observe` the passes and the reports about
 * the pod (`concerning`); for each pod created (`qualifyingWanted`), find the
 * newest event before the creating pass that `qualifies` its node and
 * `addQualifying` it; then `observeCause` the entries of `causeRange()`
 * (what made those passes run).
 */
export class PodHistory {
  readonly #namespace: string;
  readonly #name: string;
  readonly #entries = new Map<number, ExplainEntry>();
  /** Cause seq → the passes it caused. */
  readonly #causeOf = new Map<number, number[]>();
  /** The creating passes: their seq and node, for the node event that made the node qualify. */
  readonly #created: { readonly node: string; readonly passSeq: number }[] = [];

  constructor(namespace: string, name: string) {
    this.#namespace = namespace;
    this.#name = name;
  }

  /** What the first read selects: the passes, and the events about the pod. */
  concerning(): LogSelector {
    return [{ types: [PassType] }, { object: `pod/${this.#namespace}/${this.#name}` }];
  }

  /** First read: take `entry` if it is about the pod. */
  observe(entry: LogEntry): void {
    if (entry.kind === 'pass') {
      const decisions = entry.decisions.filter((d) => isAbout(d, this.#namespace, this.#name));
      if (decisions.length === 0) return;
      for (const d of decisions) if (d.type === 'PodCreateRequested') this.#created.push({ node: d.node, passSeq: entry.seq });
      const object = `daemonset.apps/${entry.daemonSet}`;
      // The causes of these decisions: the events about their node (or all nodes), not every cause of the pass.
      const causes = [...new Set(decisions.flatMap((d) => ('node' in d ? causesOf(entry, d.node) : [...entry.causes])))].sort((a, b) => a - b);
      this.#entries.set(entry.seq, { seq: entry.seq, at: entry.at, kind: 'pass', object, summary: passSummary(entry, decisions, causes), causes, decisions });
      for (const cause of causes) this.#causeOf.set(cause, [...(this.#causeOf.get(cause) ?? []), entry.seq]);
      return;
    }
    const { type } = entry.event;
    if (type !== EventType.PodStatus && type !== EventType.PodDeleted) return;
    const meta = metaOf(entry.event);
    if (meta.namespace !== this.#namespace || meta.name !== this.#name) return;
    this.#entries.set(entry.seq, { seq: entry.seq, at: entry.at, kind: 'event', type, object: eventObject(entry.event), summary: podEventSummary(entry) });
  }

  /**
   * For the second read, per pod created: its node, the creating pass, and
   * the selector of the joins and updates of that node.
   */
  qualifyingWanted(): { readonly node: string; readonly passSeq: number; readonly where: LogSelector }[] {
    return this.#created.map(({ node, passSeq }) => ({
      node,
      passSeq,
      where: { object: `node/${node}`, types: [EventType.NodeJoined, EventType.NodeUpdated] },
    }));
  }

  /** Whether `entry` could have made `node` qualify: a join or update of it that was applied. */
  qualifies(entry: LogEntry, node: string): entry is EventEntry {
    if (entry.kind !== 'event' || !entry.applied) return false;
    const { type } = entry.event;
    return (type === EventType.NodeJoined || type === EventType.NodeUpdated) && metaOf(entry.event).name === node;
  }

  /** Second read's answer: `event`, the newest that `qualifies` before pass `passSeq`, made its node qualify. */
  addQualifying(event: EventEntry, passSeq: number): void {
    if (this.#entries.has(event.seq)) return;
    const object = eventObject(event.event);
    this.#entries.set(event.seq, {
      seq: event.seq,
      at: event.at,
      kind: 'event',
      type: event.event.type,
      object,
      summary: `made ${object} qualify for the pod created by #${passSeq}: ${event.event.type}`,
    });
  }

  /** The stretch of the log the causes not yet described lie in, and which lines there may be one; undefined when there are none. */
  causeRange(): { after: number; until: number; where: LogSelector } | undefined {
    const missing = [...this.#causeOf.keys()].filter((seq) => !this.#entries.has(seq));
    if (missing.length === 0) return undefined;
    return { after: Math.min(...missing) - 1, until: Math.max(...missing), where: { seqs: new Set(this.#causeOf.keys()) } };
  }

  /** Second read: describe `entry` if it caused one of the pod's passes. */
  observeCause(entry: LogEntry): void {
    const causeOf = this.#causeOf.get(entry.seq);
    if (causeOf === undefined || this.#entries.has(entry.seq)) return;
    this.#entries.set(entry.seq, causeEntry(entry, causeOf));
  }

  /** Whether the log says anything about the pod. */
  get empty(): boolean {
    return this.#entries.size === 0;
  }

  /** The explanation, in log order. */
  explanation(): PodExplanation {
    // An entry listed for itself (a status report of this pod) that also caused a pass gains the mark.
    const marked = [...this.#entries.values()].map((e) => {
      const causeOf = this.#causeOf.get(e.seq);
      return causeOf === undefined || e.causeOf !== undefined ? e : { ...e, causeOf };
    });
    const entries = marked.sort((a, b) => a.seq - b.seq);
    return { pod: { namespace: this.#namespace, name: this.#name }, entries };
  }
}
