import { assert } from '../../../kernel/assert.ts';

/**
 * Counts and sums of values over several trailing time windows at once (1 minute, 1 hour, 24
 * hours…), kept incrementally over a time-ordered stream: each window has its own head in one
 * shared buffer. Sums of integers (minor units) stay exact.
 */
export class WindowTotals {
  private times: number[] = [];
  private values: number[] = [];
  private readonly heads: number[];
  private readonly sums: number[];
  private advancedToMs = Number.NEGATIVE_INFINITY;

  /** `windowsMs` from the shortest to the longest. */
  constructor(private readonly windowsMs: readonly number[]) {
    assert(windowsMs.length > 0, 'at least one window');
    for (let w = 1; w < windowsMs.length; w += 1)
      assert((windowsMs[w] ?? 0) > (windowsMs[w - 1] ?? 0), 'windows from shortest to longest');
    this.heads = windowsMs.map(() => 0);
    this.sums = windowsMs.map(() => 0);
  }

  /** Drops what fell out of each window ending at `nowMs` (events at or before now − window). */
  advance(nowMs: number): void {
    if (nowMs === this.advancedToMs) return;
    this.advancedToMs = nowMs;
    for (let w = 0; w < this.windowsMs.length; w += 1) {
      const edge = nowMs - (this.windowsMs[w] ?? 0);
      let head = this.heads[w] ?? 0;
      let sum = this.sums[w] ?? 0;
      while (head < this.times.length && (this.times[head] ?? 0) <= edge) {
        sum -= this.values[head] ?? 0;
        head += 1;
      }
      this.heads[w] = head;
      this.sums[w] = sum;
    }
    this.compact();
  }

  add(atMs: number, value: number): void {
    this.times.push(atMs);
    this.values.push(value);
    for (let w = 0; w < this.sums.length; w += 1) this.sums[w] = (this.sums[w] ?? 0) + value;
  }

  count(window: number): number {
    return this.times.length - (this.heads[window] ?? 0);
  }

  sum(window: number): number {
    return this.sums[window] ?? 0;
  }

  /** Forgets entries no window can see any more, once they are the bulk of the buffer. */
  private compact(): void {
    const oldest = this.heads[this.heads.length - 1] ?? 0;
    if (oldest < 64 || oldest * 2 < this.times.length) return;
    this.times = this.times.slice(oldest);
    this.values = this.values.slice(oldest);
    for (let w = 0; w < this.heads.length; w += 1) this.heads[w] = (this.heads[w] ?? 0) - oldest;
  }
}

/** How many distinct keys (senders, cards, accounts) were seen in a trailing time window. */
export class DistinctInWindow {
  private times: number[] = [];
  private keys: string[] = [];
  private head = 0;
  private readonly counts = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  advance(nowMs: number): void {
    if (this.head === this.times.length && this.head === 0) return;
    const edge = nowMs - this.windowMs;
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= edge) {
      const key = this.keys[this.head] ?? '';
      const left = (this.counts.get(key) ?? 0) - 1;
      if (left === 0) this.counts.delete(key);
      else this.counts.set(key, left);
      this.head += 1;
    }
    if (this.head >= 64 && this.head * 2 >= this.times.length) {
      this.times = this.times.slice(this.head);
      this.keys = this.keys.slice(this.head);
      this.head = 0;
    }
  }

  add(atMs: number, key: string): void {
    this.times.push(atMs);
    this.keys.push(key);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  distinct(): number {
    return this.counts.size;
  }

  has(key: string): boolean {
    return this.counts.has(key);
  }
}
