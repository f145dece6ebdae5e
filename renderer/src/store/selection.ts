// Row selection rules shared by the lists (upload list, staging list): what a click,
// Ctrl/Cmd-click or Shift-click does to a selection, and the list's keys.

import type { KeyboardEvent, MouseEvent } from 'react';

export interface ClickOptions {
  /** Select (true) or unselect (false) the clicked row, or the range. */
  on: boolean;
  /** Shift: from the anchor to this row. */
  shift: boolean;
  /** Checkbox or Ctrl/Cmd: keep the rest of the selection. */
  toggle: boolean;
}

/**
 * The selection after a click on row `index`. A plain row click selects only it;
 * `toggle` adds or removes it; Shift ranges from the anchor over the rows `keyAt` knows.
 */
export function nextSelection<K>(
  base: ReadonlySet<K>, anchor: number | null, index: number, key: K,
  keyAt: (i: number) => K | undefined, opts: ClickOptions,
): Set<K> {
  const next = opts.toggle || opts.shift ? new Set(base) : new Set<K>();
  if (opts.shift && anchor !== null) {
    for (let i = Math.min(anchor, index); i <= Math.max(anchor, index); i++) {
      const k = keyAt(i);
      if (k === undefined) continue;
      if (opts.on) next.add(k);
      else next.delete(k);
    }
  } else if (opts.on) next.add(key);
  else next.delete(key);
  return next;
}

/**
 * A click on the row itself (not on its checkbox, links or buttons): what it asks for,
 * or null when a control inside the row took it.
 */
export function rowClickOptions(selected: boolean, e: MouseEvent<HTMLElement>): ClickOptions | null {
  if ((e.target as HTMLElement).closest('button, input, a, select, textarea')) return null;
  const toggle = e.ctrlKey || e.metaKey;
  if (e.shiftKey) window.getSelection()?.removeAllRanges();
  return { on: toggle ? !selected : true, shift: e.shiftKey, toggle };
}

/**
 * Keys of a list while focus is in it: Ctrl/Cmd+A selects its rows (not the page's text),
 * Escape clears a selection (and is left to others when there is none).
 */
export function listKeyHandler(actions: { selectAll: () => void; clear: () => void; hasSelection: () => boolean }) {
  return (e: KeyboardEvent<HTMLElement>): void => {
    const target = e.target as HTMLElement;
    if (target.matches('input[type="text"], input[type="search"], input:not([type]), textarea, select')) return;
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      actions.selectAll();
    } else if (e.key === 'Escape' && actions.hasSelection()) {
      e.preventDefault();
      actions.clear();
    }
  };
}
