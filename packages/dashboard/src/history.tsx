/**
 * History: a scrubber over the log (drag to a seq, or type a seq or a
 * time) with the grid as the cluster stood then — `GET /state?to=SEQ` or
 * `?at=TIME`, the log replayed by the API — and the log around it as a
 * timeline, filtered by type and object (`GET /log`'s own filters).
 */
import type { LogPage, Pod, ReplayedCluster } from '@everynode/api';
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { ClusterGrid } from './cluster-grid.tsx';
import { gridOf, viewOf } from './cluster-model.ts';
import { timelineLine } from './timeline-model.ts';
import { useAnswer } from './use-answer.ts';

/** Where the scrubber stands: a seq, or a moment (RFC 3339, or a duration before now). */
export type Position = { readonly seq: number } | { readonly at: string };

export interface HistoryProps {
  readonly api: Api;
  /** The newest seq the live view has seen: the scrubber's end. */
  readonly liveSeq: number;
  readonly position: Position;
  readonly onPosition: (position: Position) => void;
  readonly filter: string;
  readonly onSelectPod: (pod: Pod) => void;
}

/** How many entries the timeline shows before the position (and after it). */
const around = 100;

function useReplay(api: Api, position: Position): ReplayedCluster | string | undefined {
  const query = 'seq' in position ? `to=${position.seq}` : `at=${encodeURIComponent(position.at)}`;
  // A drag moves through many seqs: only where it rests is asked for.
  return useAnswer<ReplayedCluster>(api, `/state?${query}`, { delayMs: 150 });
}

function Timeline({ api, seq, liveSeq, onPosition }: { api: Api; seq: number; liveSeq: number; onPosition: (p: Position) => void }) {
  const [type, setType] = useState('');
  const [object, setObject] = useState('');
  const after = Math.max(0, seq - around);
  // Entries written since are read when the log grows (liveSeq) within the window shown, once it pauses for 100 ms.
  const tail = liveSeq <= after + 2 * around ? liveSeq : 0;
  const params = new URLSearchParams({ after: String(after), limit: String(2 * around) });
  if (type.trim()) params.set('type', type.trim());
  if (object.trim()) params.set('object', object.trim());
  const page = useAnswer<LogPage>(api, `/log?${params}`, { refresh: tail, delayMs: 100 });
  // The line where the scrubber stands, in sight in the timeline's box.
  const list = useRef<HTMLOListElement>(null);
  useLayoutEffect(() => {
    const box = list.current;
    const here = box?.querySelector<HTMLElement>('.here');
    if (box && here) box.scrollTop = here.offsetTop - box.offsetTop - box.clientHeight / 2;
  }, [page, seq]);
  return (
    <section class="timeline">
      <div class="filters">
        <label>
          type <input value={type} placeholder="pass, node.removed, …" onChange={(e) => setType(e.currentTarget.value)} data-testid="log-type" />
        </label>
        <label>
          object <input value={object} placeholder="node/NAME, pod/NS/NAME, ds/NS/NAME" onChange={(e) => setObject(e.currentTarget.value)} data-testid="log-object" />
        </label>
      </div>
      {typeof page === 'string' && <p class="error">{page}</p>}
      {typeof page === 'object' && (
        <ol class="log" data-testid="log" ref={list}>
          {page.items.map(timelineLine).map((line) => (
            <li key={line.seq} class={`log-line ${line.kind}${line.seq > seq ? ' later' : ''}${line.seq === seq ? ' here' : ''}`} data-seq={line.seq}>
              <button type="button" class="seq" onClick={() => onPosition({ seq: line.seq })}>
                #{line.seq}
              </button>{' '}
              <span class="at">{line.at}</span> <span class="type">{line.type}</span> <span class="object">{line.object}</span> <span class="detail">{line.detail}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function History({ api, liveSeq, position, onPosition, filter, onSelectPod }: HistoryProps) {
  const replayed = useReplay(api, position);
  const view = useMemo(
    () => (typeof replayed === 'object' ? viewOf({ nodes: replayed.nodes.items, daemonSets: replayed.daemonSets.items, pods: replayed.pods.items }) : undefined),
    [replayed],
  );
  const grid = useMemo(() => view && gridOf(view, filter), [view, filter]);
  const seq = 'seq' in position ? position.seq : typeof replayed === 'object' ? replayed.seq : liveSeq;
  const [moment, setMoment] = useState('');
  return (
    <div class="history">
      <div class="scrubber">
        <input type="range" min={0} max={Math.max(liveSeq, seq)} value={seq} onInput={(e) => onPosition({ seq: Number(e.currentTarget.value) })} data-testid="scrubber" />
        <label>
          seq{' '}
          <input
            type="number"
            min={0}
            value={seq}
            onInput={(e) => {
              const typed = e.currentTarget.value.trim();
              if (/^\d+$/.test(typed)) onPosition({ seq: Number(typed) });
            }}
            data-testid="scrub-seq"
          />
        </label>
        <label>
          or time{' '}
          <input
            value={moment}
            placeholder="2026-01-01T12:00:00Z or 10m"
            onChange={(e) => {
              setMoment(e.currentTarget.value);
              if (e.currentTarget.value.trim()) onPosition({ at: e.currentTarget.value.trim() });
            }}
            data-testid="scrub-time"
          />
        </label>
        <button type="button" onClick={() => onPosition({ seq: liveSeq })}>
          now
        </button>
      </div>
      {typeof replayed === 'string' && <p class="error">{replayed}</p>}
      {typeof replayed === 'object' && (
        <p class="as-of" data-testid="as-of" data-seq={replayed.seq}>
          The cluster after entry #{replayed.seq}
          {replayed.at ? `, ${replayed.at}` : ''}: {replayed.nodes.items.length} nodes, {replayed.pods.items.length} pods.
        </p>
      )}
      {grid && <ClusterGrid grid={grid} onSelectPod={onSelectPod} />}
      <Timeline api={api} seq={seq} liveSeq={liveSeq} onPosition={onPosition} />
    </div>
  );
}
