import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCircuitBreaker } from './circuit-breaker.ts';

function breaker() {
  let nowMs = 1_000_000;
  const b = createCircuitBreaker({
    clock: { now: () => new Date(nowMs) },
    failureRate: 0.5,
    cooldownMs: 1_000,
    failedAttemptsToOpen: 20,
  });
  return { b, later: (ms: number) => (nowMs += ms) };
}

/** One call of `tries` attempts; it succeeds when any attempt does. */
function call(b: ReturnType<typeof breaker>['b'], tries: readonly boolean[]) {
  const permit = b.tryAcquire();
  assert.ok(permit.allowed, 'the call may go out');
  for (const ok of tries) b.recordAttempt(ok);
  permit.release(tries.includes(true) ? 'success' : 'failure');
}

describe('the processor breaker: an outage opens it, a lossy link does not', () => {
  it('half the attempts failing (every call getting through on a retry) keeps it closed', () => {
    const { b } = breaker();
    for (let i = 0; i < 200; i += 1) call(b, [false, true]);
    for (let i = 0; i < 200; i += 1) call(b, [false, false, false, true]);
    assert.equal(b.state(), 'closed');
    assert.equal(b.openings(), 0);
  });

  it('opens on the 20th failed attempt in a row, mid-call, before ten whole calls failed', () => {
    const { b } = breaker();
    call(b, [true]);
    const permits = [b.tryAcquire(), b.tryAcquire(), b.tryAcquire()];
    for (let i = 0; i < 19; i += 1) b.recordAttempt(false);
    assert.equal(b.state(), 'closed', '19 in a row');
    b.recordAttempt(false);
    assert.equal(b.state(), 'open', 'the 20th');
    const refused = b.tryAcquire();
    assert.equal(refused.allowed, false);
    for (const p of permits) if (p.allowed) p.release('failure');
    assert.equal(b.openings(), 1);
  });

  it('a success breaks the run of failed attempts', () => {
    const { b } = breaker();
    for (let round = 0; round < 10; round += 1) {
      for (let i = 0; i < 19; i += 1) b.recordAttempt(false);
      b.recordAttempt(true);
    }
    assert.equal(b.state(), 'closed');
  });

  it('opens when half of the last calls failed every attempt; one probe after the cooldown closes it', () => {
    const { b, later } = breaker();
    for (let i = 0; i < 5; i += 1) call(b, [true]);
    for (let i = 0; i < 4; i += 1) call(b, [false, false]);
    assert.equal(b.state(), 'closed', '4 of 9 calls failed (and fewer than 10 calls)');
    call(b, [false, false]);
    assert.equal(b.state(), 'open', '5 of 10');
    assert.ok(b.retryAfterMs() > 0);
    later(1_000);
    assert.equal(b.state(), 'half_open');
    const probe = b.tryAcquire();
    assert.ok(probe.allowed);
    assert.equal(b.tryAcquire().allowed, false, 'one probe at a time');
    probe.release('success');
    assert.equal(b.state(), 'closed');
  });
});
