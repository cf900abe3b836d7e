/**
 * A small in-process cache for facts that never change once written (a wallet's owner and
 * currency, a merchant's settlement account), so the hot path does not ask PostgreSQL every
 * time. Bounded by entry count and age; a miss simply reads again. Never used for balances.
 */
export class MemoCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAtMs: number }>();

  constructor(
    private readonly entriesMax: number,
    private readonly ttlMs: number,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const nowMs = performance.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expiresAtMs > nowMs) return hit.value;
    const value = await load();
    if (value === null || value === undefined) return value;
    if (this.entries.size >= this.entriesMax) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAtMs: nowMs + this.ttlMs });
    return value;
  }
}
