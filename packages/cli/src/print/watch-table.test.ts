import { describe, expect, it } from 'vitest';
import { renderTable } from './table.ts';
import { WatchTable } from './watch-table.ts';

describe('WatchTable (kubectl get --watch: tabwriter with RememberWidths)', () => {
  it('prints the header and first rows exactly as the list table does', () => {
    const rows = [['fluentd-abcde', '1/1', 'Running'], ['x', '0/1', 'Pending']];
    expect(new WatchTable(['name', 'ready', 'status']).lines(rows)).toBe(renderTable(['name', 'ready', 'status'], rows));
  });

  it('lines later rows up under the header, and a wider cell widens its column from then on', () => {
    const table = new WatchTable(['name', 'ready', 'status']);
    table.lines([['a', '1/1', 'Running']]);
    expect(table.lines([['b', '0/1', 'Pending']])).toBe('b      0/1     Pending\n');
    expect(table.lines([['a-much-longer-name', '1/1', 'Running']])).toBe('a-much-longer-name   1/1     Running\n');
    expect(table.lines([['c', '1/1', 'Running']])).toBe('c                    1/1     Running\n');
  });

  it('with nothing printed yet, the header comes with the first rows (--watch-only); no rows, no output', () => {
    const table = new WatchTable(['name', 'ready']);
    expect(table.lines([])).toBe('');
    expect(table.lines([['a', '1/1']])).toBe('NAME   READY\na      1/1\n');
  });
});
