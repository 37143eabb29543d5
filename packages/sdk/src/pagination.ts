/** One page of a list: its items and the cursor of the next page (null on the last one). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The `cursor` of `Link: </v1/…?limit=2&cursor=…>; rel="next"`, or null when there is no next page. */
export function nextCursorOf(link: string | null): string | null {
  if (link === null) return null;
  for (const part of link.split(',')) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (match === null || !/\brel="?next"?/.test(match[2] ?? '')) continue;
    const cursor = new URL(match[1] ?? '', 'http://link.invalid').searchParams.get('cursor');
    if (cursor !== null && cursor !== '') return cursor;
  }
  return null;
}

/** Every page from `first` on, each fetched with the previous page's cursor. */
export async function* pagesOf<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<Page<T>, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield page;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** Every item of every page, in order. */
export async function* itemsOf<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T, void, undefined> {
  for await (const page of pagesOf(fetchPage)) yield* page.items;
}
