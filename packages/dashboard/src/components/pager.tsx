import { useState, type ReactNode } from 'react';
import { Button } from './ui';

/** Cursor pages: the cursors of the pages seen so far, so Previous goes back one. */
export function useCursors(): { cursor: string | undefined; page: number; reset(): void; next(cursor: string): void; previous(): void } {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    reset: () => setCursors([undefined]),
    next: (cursor) => setCursors((c) => [...c, cursor]),
    previous: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
  };
}

export function Pager({ pages, nextCursor }: { pages: ReturnType<typeof useCursors>; nextCursor: string | null | undefined }): ReactNode {
  return (
    <nav aria-label="Pages" className="mt-3 flex items-center gap-2">
      <Button disabled={pages.page === 1} onClick={pages.previous}>
        Previous
      </Button>
      <span className="text-sm text-slate-600">Page {pages.page}</span>
      <Button disabled={nextCursor == null} onClick={() => nextCursor != null && pages.next(nextCursor)}>
        Next
      </Button>
    </nav>
  );
}
