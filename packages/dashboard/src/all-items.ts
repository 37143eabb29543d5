/** Every item of an SDK iterator, page after page: for lists a page shows whole (members, root keys, webhooks). */
export async function allItems<T>(items: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const item of items) collected.push(item);
  return collected;
}
