import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { paymentStatuses } from '@kassa/contracts';
import {
  allows,
  decideCancel,
  decideCapture,
  decideConfirm,
  decideCreate,
  decideExpireHold,
  decideRefund,
  paymentKinds,
  type Decision,
  type LifecycleAction,
  type LifecycleState,
} from './payment-lifecycle.ts';

const created = new Date('2026-03-01T12:00:00Z');
const minutes = (n: number) => new Date(created.getTime() + n * 60_000);

/** A merchant payment held for capture until +10 min unless `given` says otherwise. */
function given(overrides: Partial<LifecycleState> = {}): LifecycleState {
  return {
    kind: 'payment',
    status: 'requires_capture',
    captureMethod: 'manual',
    amount: 5_000n,
    amountCaptured: 0n,
    amountRefunded: 0n,
    holdTransferId: 'hold-1',
    holdExpiresAt: minutes(10),
    createdAt: created,
    ...overrides,
  };
}

function refusedWith(decision: Decision, code: string, param?: string): void {
  assert.equal(decision.ok, false, `expected a refusal with ${code}`);
  if (decision.ok) return;
  assert.equal(decision.code, code);
  assert.equal(decision.param, param);
}

describe('payment lifecycle: creation', () => {
  it('a transfer without step-up settles; with step-up it waits for the code', () => {
    assert.deepEqual(decideCreate('transfer', { stepUp: false, captureMethod: 'automatic' }), {
      ok: true,
      next: 'succeeded',
      onRefused: 'failed',
    });
    assert.equal(
      decideCreate('transfer', { stepUp: true, captureMethod: 'automatic' }).next,
      'requires_action',
    );
  });

  it('a manual-capture payment is held; a transfer ignores the capture method', () => {
    assert.equal(
      decideCreate('payment', { stepUp: false, captureMethod: 'manual' }).next,
      'requires_capture',
    );
    assert.equal(
      decideCreate('transfer', { stepUp: false, captureMethod: 'manual' }).next,
      'succeeded',
    );
  });
});

describe('payment lifecycle: confirm', () => {
  const waiting = given({ status: 'requires_action', captureMethod: 'automatic' });

  it('given a payment waiting for its code, when confirmed in time, then it settles', () => {
    const decision = decideConfirm(waiting, { now: minutes(5), expirySeconds: 600 });
    assert.deepEqual(decision, { ok: true, next: 'succeeded', onRefused: 'failed' });
  });

  it('given a manual-capture payment waiting for its code, when confirmed, then it is held', () => {
    const decision = decideConfirm(
      { ...waiting, captureMethod: 'manual' },
      { now: minutes(5), expirySeconds: 600 },
    );
    assert.equal(decision.ok && decision.next, 'requires_capture');
  });

  it('given a payment past its step-up expiry, when confirmed, then it is refused', () => {
    const decision = decideConfirm(waiting, { now: minutes(11), expirySeconds: 600 });
    refusedWith(decision, 'payment_not_confirmable');
    assert.match(!decision.ok ? (decision.message ?? '') : '', /expired/);
  });

  it('given a payment that already succeeded, when confirmed again, then nothing moves', () => {
    refusedWith(
      decideConfirm({ ...waiting, status: 'succeeded' }, { now: minutes(1), expirySeconds: 600 }),
      'payment_not_confirmable',
    );
  });

  it('given a top-up row in requires_action (3-D Secure), when confirmed here, then refused', () => {
    refusedWith(
      decideConfirm({ ...waiting, kind: 'topup' }, { now: minutes(1), expirySeconds: 600 }),
      'payment_not_confirmable',
    );
  });
});

describe('payment lifecycle: capture', () => {
  it('given a held payment, when captured without an amount, then all of it is taken', () => {
    assert.deepEqual(decideCapture(given(), { amount: null, now: minutes(1) }), {
      ok: true,
      next: 'succeeded',
      onRefused: null,
      amount: 5_000n,
    });
  });

  it('given a held payment, when captured partly, then the captured amount is that part', () => {
    const decision = decideCapture(given(), { amount: 1_200n, now: minutes(1) });
    assert.equal(decision.ok && decision.amount, 1_200n);
  });

  it('given a held payment, when more than authorised is captured, then refused at amount', () => {
    refusedWith(
      decideCapture(given(), { amount: 5_001n, now: minutes(1) }),
      'capture_exceeds_authorized',
      'amount',
    );
  });

  it('given a hold at its deadline, when captured, then hold_expired', () => {
    refusedWith(decideCapture(given(), { amount: null, now: minutes(10) }), 'hold_expired');
  });

  it('given a payment that is not held, when captured, then not capturable', () => {
    for (const status of ['succeeded', 'canceled', 'failed', 'requires_action'] as const)
      refusedWith(
        decideCapture(given({ status }), { amount: null, now: minutes(1) }),
        'payment_not_capturable',
      );
    refusedWith(
      decideCapture(given({ holdTransferId: null }), { amount: null, now: minutes(1) }),
      'payment_not_capturable',
    );
  });
});

describe('payment lifecycle: cancel and hold expiry', () => {
  it('given a hold in time, when canceled, then it is voided as a cancel', () => {
    assert.deepEqual(decideCancel(given(), { now: minutes(1) }), {
      ok: true,
      next: 'canceled',
      onRefused: null,
      expiry: false,
    });
  });

  it('given a hold past its deadline, when canceled, then it is voided as an expiry', () => {
    const decision = decideCancel(given(), { now: minutes(11) });
    assert.equal(decision.ok && decision.expiry, true);
  });

  it('given a captured payment, when canceled, then not cancelable', () => {
    refusedWith(
      decideCancel(given({ status: 'succeeded' }), { now: minutes(1) }),
      'payment_not_cancelable',
    );
  });

  it('the expiry job releases a hold only at or after its deadline', () => {
    assert.equal(decideExpireHold(given(), { now: minutes(9) }).ok, false);
    assert.equal(decideExpireHold(given(), { now: minutes(10) }).ok, true);
    assert.equal(decideExpireHold(given({ status: 'canceled' }), { now: minutes(20) }).ok, false);
  });
});

describe('payment lifecycle: refund', () => {
  const settled = given({ status: 'succeeded', amountCaptured: 4_000n, amountRefunded: 1_000n });

  it('given a settled payment, when refunded without an amount, then the rest is returned', () => {
    const decision = decideRefund(settled, { amount: null });
    assert.equal(decision.ok && decision.amount, 3_000n);
    assert.equal(decision.ok && decision.next, 'succeeded');
  });

  it('given a settled payment, when refunded above what is left, then refused at amount', () => {
    refusedWith(decideRefund(settled, { amount: 3_001n }), 'refund_exceeds_captured', 'amount');
  });

  it('given a fully refunded payment, when refunded again, then refused', () => {
    refusedWith(
      decideRefund({ ...settled, amountRefunded: 4_000n }, { amount: null }),
      'refund_exceeds_captured',
      'amount',
    );
  });

  it('given a P2P transfer or a held payment, when refunded, then not refundable', () => {
    refusedWith(
      decideRefund({ ...settled, kind: 'transfer' }, { amount: null }),
      'payment_not_refundable',
      'payment',
    );
    refusedWith(decideRefund(given(), { amount: null }), 'payment_not_refundable', 'payment');
  });
});

describe('payment lifecycle: every decision is a transition of the table', () => {
  const anyState = fc.record({
    kind: fc.constantFrom(...paymentKinds),
    status: fc.constantFrom(...paymentStatuses),
    captureMethod: fc.constantFrom('automatic' as const, 'manual' as const),
    amount: fc.bigInt({ min: 1n, max: 10_000n }),
    amountCaptured: fc.bigInt({ min: 0n, max: 10_000n }),
    amountRefunded: fc.bigInt({ min: 0n, max: 10_000n }),
    holdTransferId: fc.option(fc.constant('hold'), { nil: null }),
    holdExpiresAt: fc.option(
      fc.integer({ min: -30, max: 30 }).map((m) => minutes(m)),
      { nil: null },
    ),
    createdAt: fc.integer({ min: -30, max: 0 }).map((m) => minutes(m)),
  });

  it('allowed actions land only on statuses the table lists (and refusals move nothing)', () => {
    fc.assert(
      fc.property(
        anyState,
        fc.option(fc.bigInt({ min: 0n, max: 12_000n }), { nil: null }),
        fc.integer({ min: -5, max: 40 }).map((m) => minutes(m)),
        (state, amount, now) => {
          const decisions: [LifecycleAction, Decision][] = [
            ['confirm', decideConfirm(state, { now, expirySeconds: 600 })],
            ['capture', decideCapture(state, { amount, now })],
            ['cancel', decideCancel(state, { now })],
            ['expire_hold', decideExpireHold(state, { now })],
            ['refund', decideRefund(state, { amount })],
          ];
          for (const [action, decision] of decisions) {
            if (!decision.ok) continue;
            const kind = state.kind === 'payment' ? 'payment' : 'transfer';
            assert.ok(
              allows(kind, state.status, action, decision.next),
              `${state.kind} ${state.status} -${action}-> ${decision.next}`,
            );
            if (decision.onRefused !== null)
              assert.ok(allows(kind, state.status, action, decision.onRefused));
            if ('amount' in decision) assert.ok((decision.amount as bigint) > 0n);
          }
        },
      ),
    );
  });

  it('creation lands on a status the table lists from nothing', () => {
    for (const kind of ['transfer', 'payment'] as const)
      for (const stepUp of [true, false])
        for (const captureMethod of ['automatic', 'manual'] as const) {
          const decision = decideCreate(kind, { stepUp, captureMethod });
          assert.ok(allows(kind, 'none', 'create', decision.next));
          assert.ok(allows(kind, 'none', 'create', decision.onRefused));
        }
  });

  it('failed and canceled are final', () => {
    for (const kind of ['transfer', 'payment'] as const)
      for (const from of ['failed', 'canceled'] as const)
        for (const action of ['confirm', 'capture', 'cancel', 'expire_hold', 'refund'] as const)
          for (const to of paymentStatuses) assert.equal(allows(kind, from, action, to), false);
  });
});
