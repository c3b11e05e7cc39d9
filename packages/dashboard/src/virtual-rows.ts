/**
 * Rows rendered only while in sight: @tanstack/virtual-core's Virtualizer
 * over a scrolling element, wired into Preact's hooks. A 10,000-node grid
 * puts a few dozen rows in the DOM, not 10,000.
 */
import { elementScroll, observeElementOffset, observeElementRect, type VirtualItem, Virtualizer } from '@tanstack/virtual-core';
import { useLayoutEffect, useReducer, useState } from 'preact/hooks';
import type { RefObject } from 'preact';

/** The rows of `count` in sight in `scroller` (each `rowHeight` px tall), and the height of them all. */
export function useVirtualRows(scroller: RefObject<HTMLElement>, count: number, rowHeight: number): { items: VirtualItem[]; totalSize: number } {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [virtualizer] = useState(
    () =>
      new Virtualizer<HTMLElement, Element>({
        count,
        getScrollElement: () => scroller.current,
        estimateSize: () => rowHeight,
        overscan: 10,
        observeElementRect,
        observeElementOffset,
        scrollToFn: elementScroll,
        onChange: () => rerender(undefined),
      }),
  );
  virtualizer.setOptions({ ...virtualizer.options, count });
  useLayoutEffect(() => virtualizer._didMount(), [virtualizer]);
  useLayoutEffect(() => virtualizer._willUpdate());
  return { items: virtualizer.getVirtualItems(), totalSize: virtualizer.getTotalSize() };
}
