/**
 * A test-only cluster: the core's own `evolve`, `decide` and `applyPass`,
 * plus a stand-in for the node agents (docs/contract.md §5) — pods start, turn Ready,
 * fail, and have their deletion confirmed only when a test says so. The clock
 * moves only when a test moves it.
 */
import { type ClusterEvent, type DaemonSet, type Node, type Pod, EventType, type PropagationPolicy } from '@everynode/api';
import { decide } from '../decide.ts';
import { applyPass, emptyClusterState, evolve, viewOf, type ClusterState, type Evolution } from '../evolve.ts';
import { targetNodeName } from '../node-affinity.ts';
import { timestamp } from '../pod-util.ts';
import type { DaemonSetView, Decision, Millis, NodeContribution, PassResult } from '../state.ts';

export const epoch: Millis = Date.parse('2026-01-01T00:00:00.000Z');

export class SimCluster {
  readonly state: ClusterState = emptyClusterState();
  now: Millis = epoch;
  private sequence = 0;
  /** Every decision of every pass, in order. */
  readonly history: Decision[] = [];
  /** Per-node status contributions as the engine would store them. */
  contributions = new Map<string, NodeContribution>();
  oldTotal = 0;

  /** Deliver one event of `type` about `data`, stamped now (or at `at`). */
  emit(type: ClusterEvent['type'], data: unknown, at: Millis = this.now, id = `e${++this.sequence}`): Evolution {
    const event = { specversion: '1.0', id, source: 'test', type, time: timestamp(at), data } as ClusterEvent;
    return evolve(this.state, event);
  }

  joinNode(node: Node): this {
    this.emit(EventType.NodeJoined, node);
    return this;
  }

  updateNode(node: Node): this {
    this.emit(EventType.NodeUpdated, node);
    return this;
  }

  removeNode(name: string): this {
    this.emit(EventType.NodeRemoved, { metadata: { name } });
    return this;
  }

  applyDaemonSet(ds: DaemonSet): this {
    this.emit(EventType.DaemonSetApplied, ds);
    return this;
  }

  /** Delete the DaemonSet; without `propagationPolicy` the event is as written before there was one (Background). */
  deleteDaemonSet(namespace: string, name: string, propagationPolicy?: PropagationPolicy): this {
    this.emit(EventType.DaemonSetDeleted, { metadata: { namespace, name }, ...(propagationPolicy ? { propagationPolicy } : {}) });
    return this;
  }

  /** The stored DaemonSet (defaulted, with uid, generation and status). */
  daemonSet(key = 'default/ds'): DaemonSet {
    const record = this.state.daemonSets.get(key);
    if (!record) throw new Error(`no DaemonSet ${key}`);
    return record.daemonSet;
  }

  /** One pass over `key` at the current time, recorded in the state. */
  pass(key = 'default/ds'): PassResult {
    const view = viewOf(this.state, key);
    if (!view) throw new Error(`no DaemonSet ${key}`);
    return this.record(key, view, decide(view, this.now));
  }

  /** A pass over `nodes` only, as the engine runs one for a node event (see `PartialScope`). */
  partialPass(nodes: readonly string[], key = 'default/ds'): PassResult {
    const full = viewOf(this.state, key);
    if (!full) throw new Error(`no DaemonSet ${key}`);
    const scope = new Set(nodes);
    const view: DaemonSetView = {
      ...full,
      nodes: new Map([...full.nodes].filter(([name]) => scope.has(name))),
      pods: new Map([...full.pods].filter(([, pod]) => scope.has(targetNodeName(pod) ?? ''))),
      scope: { nodes: scope, contributions: new Map([...this.contributions].filter(([n]) => scope.has(n))), oldTotal: this.oldTotal },
    };
    return this.record(key, view, decide(view, this.now));
  }

  private record(key: string, view: DaemonSetView, result: PassResult): PassResult {
    applyPass(this.state, key, result.decisions, this.now);
    this.history.push(...result.decisions);
    if (view.scope) {
      for (const node of view.scope.nodes) this.contributions.delete(node);
    } else {
      this.contributions.clear();
    }
    for (const [node, c] of result.contributions) this.contributions.set(node, c);
    this.oldTotal = result.oldTotal;
    return result;
  }

  /** All pods, or those targeting `node`. */
  pods(node?: string): Pod[] {
    const all = [...this.state.pods.values()];
    return node === undefined ? all : all.filter((p) => targetNodeName(p) === node);
  }

  /** Pods not being deleted. */
  livePods(node?: string): Pod[] {
    return this.pods(node).filter((p) => p.metadata.deletionTimestamp === undefined);
  }

  /** The agent reports a pod: bound to its node, in `phase`, Ready when Running unless told otherwise. */
  report(pod: Pod, phase: 'Running' | 'Failed' | 'Succeeded' | 'Pending', ready = phase === 'Running'): this {
    const nodeName = targetNodeName(pod) ?? '';
    const conditions = [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: timestamp(this.now) }];
    this.emit(EventType.PodStatus, {
      ...pod,
      spec: { ...pod.spec, nodeName },
      status: { phase, conditions },
    });
    return this;
  }

  /** The agents start every Pending pod and report it Running and Ready. */
  startAll(): this {
    for (const pod of this.livePods()) if (pod.status?.phase === 'Pending') this.report(pod, 'Running');
    return this;
  }

  /** The agents confirm every requested deletion. */
  confirmDeletions(): this {
    for (const pod of this.pods()) {
      if (pod.metadata.deletionTimestamp === undefined) continue;
      this.emit(EventType.PodDeleted, { metadata: { namespace: pod.metadata.namespace, name: pod.metadata.name } });
    }
    return this;
  }

  advance(ms: Millis): this {
    this.now += ms;
    return this;
  }

  /**
   * Pass, start, confirm — until a pass decides nothing and the agents have
   * nothing to do — at most `rounds` times; returns the rounds taken.
   */
  settle(key = 'default/ds', rounds = 20): number {
    for (let round = 1; round <= rounds; round++) {
      const { decisions } = this.pass(key);
      const busy = this.pods().some((p) => p.metadata.deletionTimestamp !== undefined || p.status?.phase === 'Pending');
      this.startAll().confirmDeletions();
      if (decisions.length === 0 && !busy) return round;
    }
    throw new Error(`no steady state after ${rounds} rounds`);
  }
}
