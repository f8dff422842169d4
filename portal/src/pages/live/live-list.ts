/** The newest `max` items, newest first; an item already listed (same id) is replaced and moved up. */
export function mergeLive<T extends { id: string }>(list: readonly T[], item: T, max = 50): T[] {
  return [item, ...list.filter((x) => x.id !== item.id)].slice(0, max);
}
