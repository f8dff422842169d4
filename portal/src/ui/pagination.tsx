// Cursor pagination over the graph's Relay-style connections ({ edges { cursor }, pageInfo
// { hasNextPage endCursor } }): forward with `after: endCursor`; back by remembering the cursors
// of the pages already seen (the graph pages forward only).
import { useCallback, useState } from 'react';

export interface CursorPages {
  /** The `after` variable of the current page (undefined: the first page). */
  after: string | undefined;
  page: number;
  next(endCursor: string | null | undefined): void;
  previous(): void;
  reset(): void;
}

export function useCursorPages(): CursorPages {
  const [stack, setStack] = useState<Array<string | undefined>>([undefined]);
  const next = useCallback((endCursor: string | null | undefined) => {
    if (endCursor) setStack((s) => [...s, endCursor]);
  }, []);
  const previous = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([undefined]), []);
  return { after: stack[stack.length - 1], page: stack.length, next, previous, reset };
}

export interface PaginationProps {
  pages: CursorPages;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null } | undefined;
  totalCount?: number;
  /** What the list holds, for the navigation's label ("Conversions"). */
  label: string;
  disabled?: boolean;
}

export function Pagination({ pages, pageInfo, totalCount, label, disabled }: PaginationProps) {
  return (
    <nav className="pagination" aria-label={`${label} pages`}>
      <button type="button" className="button button-secondary" onClick={pages.previous} disabled={disabled || pages.page <= 1}>
        Previous
      </button>
      <span className="pagination-status" aria-live="polite">
        Page {pages.page}
        {totalCount !== undefined ? ` · ${totalCount.toLocaleString()} in all` : ''}
      </span>
      <button type="button" className="button button-secondary" onClick={() => pages.next(pageInfo?.endCursor)} disabled={disabled || !pageInfo?.hasNextPage}>
        Next
      </button>
    </nav>
  );
}
