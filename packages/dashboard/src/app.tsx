/**
 * The dashboard's shell: four tabs (Cluster, Rollouts, History, Queues)
 * over one live view of the cluster, a label filter shared by the grids,
 * and a pod's explanation beside whichever grid it was clicked in.
 */
import type { Pod } from '@everynode/api';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import { ClusterGrid } from './cluster-grid.tsx';
import { CellState, gridOf } from './cluster-model.ts';
import { ExplainPanel } from './explain-panel.tsx';
import { History, type Position } from './history.tsx';
import { useLiveCluster } from './live.ts';
import { Queues } from './queues.tsx';
import { Rollouts } from './rollouts.tsx';

const tabs = ['Cluster', 'Rollouts', 'History', 'Queues'] as const;
type Tab = (typeof tabs)[number];

function tabFromHash(hash: string): Tab {
  const name = new URLSearchParams(hash.replace(/^#/, '')).get('tab');
  return tabs.find((t) => t.toLowerCase() === name?.toLowerCase()) ?? 'Cluster';
}

/** Asked for when the API answers 401: a token (read is enough to look) kept for this tab. */
function TokenForm() {
  const [token, setToken] = useState('');
  return (
    <form
      class="token-form"
      onSubmit={(e) => {
        e.preventDefault();
        location.hash = `token=${encodeURIComponent(token.trim())}`;
        location.reload();
      }}
    >
      <label>
        This API asks for a token: <input type="password" value={token} onInput={(e) => setToken(e.currentTarget.value)} autoComplete="off" data-testid="token" />
      </label>{' '}
      <button type="submit">use it</button>
    </form>
  );
}

export function App({ api }: { api: Api }) {
  const live = useLiveCluster(api);
  const [tab, setTab] = useState<Tab>(() => tabFromHash(location.hash));
  const [filter, setFilter] = useState('');
  const [pod, setPod] = useState<Pod | undefined>(undefined);
  const [position, setPosition] = useState<Position | undefined>(undefined);
  const grid = useMemo(() => live.view && gridOf(live.view, filter), [live.view, filter]);
  const daemonSets = useMemo(() => grid?.columns ?? [], [grid]);

  // History stands still where it was opened (each position is a replay of the log): it follows the cluster only when asked ("now").
  useEffect(() => {
    if (tab === 'History' && position === undefined && live.view) setPosition({ seq: live.seq });
  }, [tab, position, live.view, live.seq]);

  const show = (next: Tab) => {
    setTab(next);
    history.replaceState(null, '', `#tab=${next.toLowerCase()}`);
  };
  const scrub = (seq: number) => {
    setPosition({ seq });
    show('History');
  };

  return (
    <div class="app">
      <header class="top">
        <h1>everynode</h1>
        <nav>
          {tabs.map((t) => (
            <button key={t} type="button" class={t === tab ? 'tab active' : 'tab'} onClick={() => show(t)} data-tab={t.toLowerCase()}>
              {t}
            </button>
          ))}
        </nav>
        <label class="filter">
          nodes <input value={filter} placeholder="label=value, name" onInput={(e) => setFilter(e.currentTarget.value)} data-testid="filter" />
        </label>
        <span class="seq" data-testid="live-seq" title="the newest log entry this page has seen">
          seq {live.seq}
        </span>
      </header>
      {live.error && <p class="error" data-testid="error">{live.error}</p>}
      {live.error === 'Unauthorized' && <TokenForm />}
      <main class={pod ? 'with-panel' : ''}>
        <div class="content">
          {!grid && <p>Reading the cluster…</p>}
          {grid && tab === 'Cluster' && (
            <>
              <p class="legend" data-testid="counts">
                {Object.values(CellState)
                  .filter((s) => grid.counts[s] > 0)
                  .map((s) => (
                    <span key={s} class={`legend-item ${s}`}>
                      {grid.counts[s]} {s}
                    </span>
                  ))}
              </p>
              <ClusterGrid grid={grid} onSelectPod={setPod} />
            </>
          )}
          {grid && tab === 'Rollouts' && <Rollouts api={api} daemonSets={daemonSets} />}
          {grid && tab === 'History' && position && <History api={api} liveSeq={live.seq} position={position} onPosition={setPosition} filter={filter} onSelectPod={setPod} />}
          {tab === 'Queues' && <Queues api={api} />}
        </div>
        {pod && <ExplainPanel api={api} pod={pod} onClose={() => setPod(undefined)} onScrub={scrub} />}
      </main>
    </div>
  );
}
