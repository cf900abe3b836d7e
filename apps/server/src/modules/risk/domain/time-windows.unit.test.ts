import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DistinctInWindow, WindowTotals } from './time-windows.ts';

describe('time windows', () => {
  it('counts and sums over several trailing windows at once', () => {
    const totals = new WindowTotals([60_000, 3_600_000]);
    totals.advance(0);
    totals.add(0, 100);
    totals.advance(30_000);
    totals.add(30_000, 50);
    totals.advance(60_000);
    // The event at 0 is exactly one minute old: out of the 1-minute window, in the hour.
    assert.deepEqual(
      [totals.count(0), totals.sum(0), totals.count(1), totals.sum(1)],
      [1, 50, 2, 150],
    );
    totals.advance(3_600_000 + 30_000);
    assert.deepEqual([totals.count(0), totals.count(1), totals.sum(1)], [0, 0, 0]);
  });

  it('stays exact over a long stream (the buffer compacts)', () => {
    const totals = new WindowTotals([1_000, 10_000]);
    for (let t = 0; t < 1_000_000; t += 100) {
      totals.advance(t);
      totals.add(t, 3);
    }
    totals.advance(1_000_000);
    assert.deepEqual([totals.count(0), totals.sum(0), totals.count(1)], [9, 27, 99]);
  });

  it('counts distinct keys in a window', () => {
    const senders = new DistinctInWindow(1_000);
    for (const [t, key] of [
      [0, 'a'],
      [100, 'b'],
      [200, 'a'],
      [900, 'c'],
    ] as const) {
      senders.advance(t);
      senders.add(t, key);
    }
    assert.equal(senders.distinct(), 3);
    senders.advance(1_150);
    // 'a' at 0 and 'b' at 100 expired; 'a' at 200 and 'c' remain.
    assert.equal(senders.distinct(), 2);
    assert.equal(senders.has('b'), false);
  });

  it('refuses windows out of order', () => {
    assert.throws(() => new WindowTotals([3_600_000, 60_000]), /shortest to longest/);
  });
});
