// A lookup by key kept for `ttlMs` (its promise, so concurrent callers share one read; a failed
// read is not kept). The intake reads a merchant's livemode once per few seconds instead of once
// per event: a connector switched to live keys shows in events at most `ttlMs` later.
export function cachedFor<K, V>(ttlMs: number, read: (key: K) => Promise<V>, maxEntries = 10_000): (key: K) => Promise<V> {
  const entries = new Map<K, { value: Promise<V>; until: number }>();
  return (key: K) => {
    const now = Date.now();
    const hit = entries.get(key);
    if (hit && hit.until > now) return hit.value;
    if (entries.size >= maxEntries) entries.clear();
    const value = read(key);
    entries.set(key, { value, until: now + ttlMs });
    value.catch(() => {
      if (entries.get(key)?.value === value) entries.delete(key);
    });
    return value;
  };
}
