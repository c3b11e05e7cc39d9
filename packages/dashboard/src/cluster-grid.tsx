/**
 * The Cluster grid: nodes down, DaemonSets across, each cell the state of
 * that DaemonSet's pod on that node. Rows are virtualised; a node's taints
 * and conditions show on hover; clicking a cell with a pod asks for its
 * explanation.
 */
import type { Node, Pod } from '@everynode/api';
import { useRef } from 'preact/hooks';
import { type Cell, CellState, type Grid } from './cluster-model.ts';
import { useVirtualRows } from './virtual-rows.ts';

const rowHeight = 26;

/** A node's taints and conditions, one per line: the hover text of its name. */
export function nodeDetails(node: Node): string {
  const taints = (node.spec?.taints ?? []).map((t) => `taint ${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
  const conditions = (node.status?.conditions ?? []).map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`);
  const labels = Object.entries(node.metadata.labels ?? {}).map(([k, v]) => `label ${k}=${v}`);
  const lines = [...taints, ...conditions, ...labels];
  return lines.length ? lines.join('\n') : 'no taints, conditions or labels';
}

const stateText: Record<CellState, string> = {
  [CellState.Running]: 'Running',
  [CellState.Pending]: 'Pending',
  [CellState.Failed]: 'Failed',
  [CellState.Missing]: 'missing',
  [CellState.None]: 'none',
  [CellState.Misscheduled]: 'misscheduled',
  [CellState.Updating]: 'updating',
};

function CellView({ cell, node, ds, onSelect }: { cell: Cell; node: string; ds: string; onSelect: (pod: Pod) => void }) {
  const pod = cell.pod;
  const title = pod ? `${pod.metadata.name}: ${stateText[cell.state]} (${pod.status?.phase ?? 'no phase'})` : stateText[cell.state];
  return (
    <button
      type="button"
      class={`cell ${cell.state}`}
      data-node={node}
      data-ds={ds}
      data-state={cell.state}
      title={title}
      disabled={!pod}
      onClick={() => pod && onSelect(pod)}
    >
      {stateText[cell.state]}
    </button>
  );
}

export interface ClusterGridProps {
  readonly grid: Grid;
  readonly onSelectPod: (pod: Pod) => void;
}

export function ClusterGrid({ grid, onSelectPod }: ClusterGridProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const { items, totalSize } = useVirtualRows(scroller, grid.rows.length, rowHeight);
  const template = `minmax(10rem, 14rem) repeat(${grid.columns.length}, minmax(8rem, 1fr))`;
  return (
    <div class="grid-wrap">
      <div class="grid-head" style={{ gridTemplateColumns: template }}>
        <span>node ({grid.rows.length})</span>
        {grid.columns.map((ds) => (
          <span key={`${ds.metadata.namespace}/${ds.metadata.name}`} title={`${ds.metadata.namespace}/${ds.metadata.name}`}>
            {ds.metadata.name}
          </span>
        ))}
      </div>
      <div class="grid-scroll" ref={scroller} data-testid="grid-scroll">
        <div style={{ height: `${totalSize}px`, position: 'relative' }}>
          {items.map((item) => {
            const row = grid.rows[item.index];
            if (!row) return null;
            const name = row.node.metadata.name ?? '';
            return (
              <div key={name} class="grid-row" data-row={name} style={{ gridTemplateColumns: template, height: `${rowHeight}px`, transform: `translateY(${item.start}px)` }}>
                <span class={`node-name${row.node.spec?.unschedulable ? ' cordoned' : ''}`} title={nodeDetails(row.node)}>
                  {name}
                </span>
                {row.cells.map((cell, i) => {
                  const ds = grid.columns[i];
                  return <CellView key={i} cell={cell} node={name} ds={ds ? `${ds.metadata.namespace}/${ds.metadata.name}` : ''} onSelect={onSelectPod} />;
                })}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
