/** The items of an SDK iterator, page after page, stopping after `limit` when one is given. */
export async function collect<T>(items: AsyncIterable<T>, limit?: number): Promise<T[]> {
  const collected: T[] = [];
  if (limit === 0) return collected;
  for await (const item of items) {
    collected.push(item);
    if (limit !== undefined && collected.length >= limit) break;
  }
  return collected;
}
