import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalRateLimiter } from './rate-limiter.ts';

describe('sliding-window rate limits (per process)', () => {
  it('a burst at the edge of a window cannot get twice the limit through', async () => {
    let nowMs = 60_000 * 1_000 + 59_000; // 59 s into a minute
    const limiter = createLocalRateLimiter(100, () => nowMs);
    const allowed = async (n: number) => {
      let ok = 0;
      for (let i = 0; i < n; i += 1) if ((await limiter.hit('k', 10, 60)).allowed) ok += 1;
      return ok;
    };
    assert.equal(await allowed(15), 10, 'the first window holds 10');
    nowMs += 2_000; // 1 s into the next minute: the previous window still weighs ~98%
    assert.equal(await allowed(15), 0, 'a fixed window would let 10 more through here');
    nowMs += 120_000; // two minutes on (refused attempts counted too, so it took a while)
    assert.equal(await allowed(15), 10);
  });

  it('forgets the least recently seen keys one by one, never every count at once', async () => {
    const limiter = createLocalRateLimiter(3, () => 1_000_000);
    for (let i = 0; i < 5; i += 1) await limiter.hit('hot', 5, 60);
    for (const key of ['a', 'b', 'c', 'd', 'e']) {
      await limiter.hit(key, 5, 60);
      await limiter.hit('hot', 5, 60);
    }
    const hot = await limiter.hit('hot', 5, 60);
    assert.equal(hot.allowed, false, 'the busy key kept its count while others came and went');
    assert.equal(hot.remaining, 0);
  });
});
