// Category as a tree picker (VOD categories are up to three levels deep). A popover
// tree rather than a <select>, so the operator sees where a category sits.

import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CategoryNode } from '../../../shared/types';

interface Props {
  categories: readonly CategoryNode[];
  value: number | undefined;
  /** Set when a multi-selection holds different categories. */
  mixed?: boolean;
  onChange: (cateId: number | undefined) => void;
  disabled?: boolean;
  /** What no category means here (a filter: "Any"); default "No category". */
  noneLabel?: string;
}

/** "Parent / Child / Grandchild" for a category id, or undefined. */
export function categoryPath(nodes: readonly CategoryNode[], id: number | undefined): string | undefined {
  if (id === undefined) return undefined;
  for (const n of nodes) {
    if (n.cateId === id) return n.name;
    const below = categoryPath(n.children, id);
    if (below) return `${n.name} / ${below}`;
  }
  return undefined;
}

function ancestors(nodes: readonly CategoryNode[], id: number, trail: number[] = []): number[] | undefined {
  for (const n of nodes) {
    if (n.cateId === id) return trail;
    const found = ancestors(n.children, id, [...trail, n.cateId]);
    if (found) return found;
  }
  return undefined;
}

export function CategoryPicker({ categories, value, mixed, onChange, disabled, noneLabel }: Props) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [expanded, setExpanded] = useState<Set<number>>(new Set());
  const root = useRef<HTMLDivElement>(null);
  const label = useMemo(() => categoryPath(categories, value), [categories, value]);

  useEffect(() => {
    if (!open) return;
    // Open on the current choice.
    if (value !== undefined) setExpanded(new Set(ancestors(categories, value) ?? []));
    const close = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', esc);
    };
  }, [open, categories, value]);

  const choose = (id: number | undefined) => {
    onChange(id);
    setOpen(false);
  };

  const renderNodes = (nodes: readonly CategoryNode[], depth: number) => (
    <ul className="tree" role={depth === 0 ? 'tree' : 'group'}>
      {nodes.map((n) => {
        const isOpen = expanded.has(n.cateId);
        return (
          <li key={n.cateId} role="treeitem" aria-expanded={n.children.length > 0 ? isOpen : undefined}>
            <div className={`tree-row${n.cateId === value ? ' selected' : ''}`} style={{ paddingLeft: 8 + depth * 18 }}>
              {n.children.length > 0 ? (
                <button
                  type="button"
                  className="tree-toggle"
                  aria-label={isOpen ? t('category.collapse') : t('category.expand')}
                  onClick={() => {
                    const next = new Set(expanded);
                    if (isOpen) next.delete(n.cateId);
                    else next.add(n.cateId);
                    setExpanded(next);
                  }}
                >
                  {isOpen ? '▾' : '▸'}
                </button>
              ) : (
                <span className="tree-toggle-space" />
              )}
              <button
                type="button"
                className="tree-label"
                data-testid="category-option"
                data-cate-id={n.cateId}
                onClick={() => choose(n.cateId)}
              >
                {n.name}
              </button>
            </div>
            {isOpen && n.children.length > 0 && renderNodes(n.children, depth + 1)}
          </li>
        );
      })}
    </ul>
  );

  return (
    <div className="picker" ref={root}>
      <button
        type="button"
        className="select-like"
        data-testid="category-picker"
        disabled={disabled}
        aria-haspopup="tree"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <span className={label ? '' : 'muted'}>{mixed ? t('edit.mixed') : label ?? noneLabel ?? t('category.none')}</span>
        <span className="caret">▾</span>
      </button>
      {open && (
        <div className="popover" data-testid="category-tree">
          <button type="button" className="tree-none" data-testid="category-none" onClick={() => choose(undefined)}>
            {noneLabel ?? t('category.none')}
          </button>
          {categories.length === 0 ? <p className="muted pad">{t('category.empty')}</p> : renderNodes(categories, 0)}
        </div>
      )}
    </div>
  );
}
