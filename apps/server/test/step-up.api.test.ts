import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  // 100.00 USD per payment, a day's allowance far above it: these tests are about the amount.
  t = await startTestSystem({
    env: { STEP_UP_LIMITS: 'USD=100/100000', NEW_FACTOR_COOL_OFF_HOURS: '0' },
  });
});
after(() => t.close());

/** A user with 2FA on; `code(offset)` gives the code of the step `offset` away from now. */
async function userWith2fa() {
  const user = await t.signUp();
  const { code } = await t.enrolTwoFactor(user);
  return { ...user, code: (offset: number) => code(offset) };
}

describe('step-up for large payments', () => {
  it('small payments go straight through; large ones need 2FA, or are refused without it', async () => {
    const plain = await t.signUp();
    const bob = await t.signUp();
    await t.fund(plain.walletId, 50_000);
    const small = await t.request('POST', '/v1/transfers', {
      token: plain.token,
      key: randomUUID(),
      body: { to: bob.email, amount: 10_000, currency: 'USD' },
    });
    assert.equal(small.json().status, 'succeeded');
    const large = await t.request('POST', '/v1/transfers', {
      token: plain.token,
      key: randomUUID(),
      body: { to: bob.email, amount: 10_001, currency: 'USD' },
    });
    assert.equal(large.statusCode, 403);
    assert.deepEqual(
      [large.json().error.code, large.json().error.next_action, large.json().error.money_moved],
      ['two_factor_required', 'verify_2fa', false],
    );
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 10_000);
  });

  it('a large transfer waits in requires_action; a wrong code moves nothing; the right one moves it once', async () => {
    const alice = await userWith2fa();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 50_000);
    const created = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key: randomUUID(),
      body: { to: bob.email, amount: 20_000, currency: 'USD' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const transfer = created.json();
    assert.equal(transfer.status, 'requires_action');
    assert.deepEqual(transfer.next_action, {
      type: 'verify_2fa',
      confirm_url: `/v1/transfers/${transfer.id}/confirm`,
    });
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);

    const wrong = await t.request('POST', `/v1/transfers/${transfer.id}/confirm`, {
      token: alice.token,
      key: randomUUID(),
      body: { code: '000000' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().error.code, 'invalid_2fa_code');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);

    const key = randomUUID();
    const confirmed = await t.request('POST', `/v1/transfers/${transfer.id}/confirm`, {
      token: alice.token,
      key,
      body: { code: alice.code(0) },
    });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal(confirmed.json().status, 'succeeded');
    const replay = await t.request('POST', `/v1/transfers/${transfer.id}/confirm`, {
      token: alice.token,
      key,
      body: { code: alice.code(0) },
    });
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    const again = await t.request('POST', `/v1/transfers/${transfer.id}/confirm`, {
      token: alice.token,
      key: randomUUID(),
      body: { code: alice.code(1) },
    });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'payment_not_confirmable');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 20_000);
    assert.equal((await t.balance(alice.token, alice.walletId)).balance, 30_000);
  });

  it('simultaneous confirmations with the same code move the money exactly once', async () => {
    const alice = await userWith2fa();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 50_000);
    const transfer = (
      await t.request('POST', '/v1/transfers', {
        token: alice.token,
        key: randomUUID(),
        body: { to: bob.email, amount: 15_000, currency: 'USD' },
      })
    ).json();
    const code = alice.code(0);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.request('POST', `/v1/transfers/${transfer.id}/confirm`, {
          token: alice.token,
          key: randomUUID(),
          body: { code },
        }),
      ),
    );
    assert.equal(
      answers.filter((a) => a.statusCode === 200).length,
      1,
      answers.map((a) => a.body).join('\n'),
    );
    assert.ok(answers.every((a) => [200, 401, 409].includes(a.statusCode)));
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 15_000);
  });

  it('another user cannot confirm it', async () => {
    const alice = await userWith2fa();
    const mallory = await userWith2fa();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 50_000);
    const transfer = (
      await t.request('POST', '/v1/transfers', {
        token: alice.token,
        key: randomUUID(),
        body: { to: bob.email, amount: 15_000, currency: 'USD' },
      })
    ).json();
    const res = await t.request('POST', `/v1/transfers/${transfer.id}/confirm`, {
      token: mallory.token,
      key: randomUUID(),
      body: { code: mallory.code(0) },
    });
    assert.equal(res.statusCode, 404);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
  });

  it('large merchant payments step up too: automatic capture takes the fee, manual places the hold', async () => {
    const payer = await userWith2fa();
    await t.fund(payer.walletId, 100_000);
    const merchant = await t.createMerchant({ feeBps: 100 });
    const auto = (
      await t.request('POST', '/v1/payments', {
        token: payer.token,
        key: randomUUID(),
        body: { merchant: merchant.id, amount: 20_000, currency: 'USD' },
      })
    ).json();
    assert.equal(auto.status, 'requires_action');
    const paid = await t.request('POST', `/v1/payments/${auto.id}/confirm`, {
      token: payer.token,
      key: randomUUID(),
      body: { code: payer.code(0) },
    });
    assert.equal(paid.statusCode, 200, paid.body);
    assert.deepEqual(
      [paid.json().status, paid.json().amount_captured, paid.json().fee],
      ['succeeded', 20_000, 200],
    );
    const manual = (
      await t.request('POST', '/v1/payments', {
        token: payer.token,
        key: randomUUID(),
        body: { merchant: merchant.id, amount: 30_000, currency: 'USD', capture: 'manual' },
      })
    ).json();
    const held = await t.request('POST', `/v1/payments/${manual.id}/confirm`, {
      token: payer.token,
      key: randomUUID(),
      body: { code: payer.code(1) },
    });
    assert.equal(held.json().status, 'requires_capture', held.body);
    const captured = await t.request('POST', `/v1/payments/${manual.id}/capture`, {
      token: merchant.secretKey,
      key: randomUUID(),
      body: {},
    });
    assert.equal(captured.json().status, 'succeeded', captured.body);
    assert.equal((await t.balance(payer.token, payer.walletId)).balance, 50_000);
    assert.equal(
      (await t.request('GET', '/v1/admin/ledger/verify', { token: t.operatorKey })).json().balanced,
      true,
    );
  });
});

describe('waiting for a second factor does not last forever (issue 11, low)', () => {
  it('a transfer left in requires_action expires after 15 minutes; it can no longer be confirmed', async () => {
    const alice = await userWith2fa();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 50_000);
    const waiting = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key: randomUUID(),
      body: { to: bob.email, amount: 20_000, currency: 'USD' },
    });
    assert.equal(waiting.json().status, 'requires_action', waiting.body);
    const fresh = await t.system.startWorker(3_600_000).runOnce();
    assert.equal((fresh as Record<string, number>)['stepUpsExpired'], 0, 'not yet');
    await t.system.db.query(
      "update payments set created_at = created_at - interval '16 minutes' where status = 'requires_action'",
    );
    // Before the worker has canceled it, the code is refused already: the deadline is the
    // payment's age, not the worker's schedule.
    const aged = await t.request('POST', `/v1/transfers/${waiting.json().id}/confirm`, {
      token: alice.token,
      key: randomUUID(),
      body: { code: alice.code(0) },
    });
    assert.equal(aged.statusCode, 409, aged.body);
    assert.equal(aged.json().error.code, 'payment_not_confirmable');
    assert.match(aged.json().error.message, /expired/);
    const ran = await t.system.startWorker(3_600_000).runOnce();
    assert.ok(((ran as Record<string, number>)['stepUpsExpired'] ?? 0) >= 1, JSON.stringify(ran));
    const seen = await t.request('GET', `/v1/transfers/${waiting.json().id}`, {
      token: alice.token,
    });
    assert.equal(seen.json().status, 'canceled');
    const late = await t.request('POST', `/v1/transfers/${waiting.json().id}/confirm`, {
      token: alice.token,
      key: randomUUID(),
      body: { code: alice.code(0) },
    });
    assert.equal(late.statusCode, 409, late.body);
    assert.equal(late.json().error.code, 'payment_not_confirmable');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
  });
});

describe('splitting a payment does not avoid step-up (issue 11, medium 3)', () => {
  let d: TestSystem;
  before(async () => {
    // The default thresholds: 1,000.00 USD per payment, 3,000.00 a day, 150,000 JPY per
    // payment; 10 payments in 10 minutes.
    d = await startTestSystem({
      env: { NEW_FACTOR_COOL_OFF_HOURS: '0', STEP_UP_VELOCITY_MAX: '10', STEP_UP_LIMITS: '' },
    });
  });
  after(() => d.close());

  async function payer(currency = 'USD') {
    const user = await d.signUp('Payer', currency);
    await d.enrolTwoFactor(user);
    return user;
  }
  const send = (token: string, to: string, amount: number, currency = 'USD') =>
    d.request('POST', '/v1/transfers', {
      token,
      key: randomUUID(),
      body: { to, amount, currency },
    });

  it('ten transfers of 1,000.00 step up once the 24-hour sum passes 3,000.00, sent one by one', async () => {
    const alice = await payer();
    const bob = await d.signUp();
    await d.fund(alice.walletId, 2_000_000);
    const outcomes = [];
    for (let i = 0; i < 10; i += 1)
      outcomes.push((await send(alice.token, bob.email, 100_000)).json().status as string);
    assert.deepEqual(outcomes.slice(0, 3), ['succeeded', 'succeeded', 'succeeded']);
    assert.ok(
      outcomes.slice(3).every((s) => s === 'requires_action'),
      outcomes.join(','),
    );
    assert.equal((await d.balance(bob.token, bob.walletId)).balance, 300_000);
  });

  it('sent all at once, exactly three go through and the rest wait for a second factor', async () => {
    const alice = await payer();
    const bob = await d.signUp();
    await d.fund(alice.walletId, 2_000_000);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => send(alice.token, bob.email, 100_000)),
    );
    const statuses = answers.map((a) => a.json().status as string);
    assert.equal(statuses.filter((s) => s === 'succeeded').length, 3, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 'requires_action').length, 7, statuses.join(','));
    assert.equal((await d.balance(bob.token, bob.walletId)).balance, 300_000);
  });

  it('the eleventh payment in ten minutes steps up whatever its amount (velocity)', async () => {
    const alice = await payer();
    const bob = await d.signUp();
    await d.fund(alice.walletId, 10_000);
    for (let i = 0; i < 10; i += 1)
      assert.equal((await send(alice.token, bob.email, 1)).json().status, 'succeeded');
    assert.equal((await send(alice.token, bob.email, 1)).json().status, 'requires_action');
  });

  it('a declined payment does not count toward the day: nothing moved', async () => {
    const alice = await payer();
    const bob = await d.signUp();
    await d.fund(alice.walletId, 250_000);
    assert.equal((await send(alice.token, bob.email, 100_000)).json().status, 'succeeded');
    assert.equal((await send(alice.token, bob.email, 100_000)).json().status, 'succeeded');
    const declined = await send(alice.token, bob.email, 100_000);
    assert.equal(declined.statusCode, 402, declined.body);
    await d.fund(alice.walletId, 100_000);
    assert.equal(
      (await send(alice.token, bob.email, 100_000)).json().status,
      'succeeded',
      'the day holds 2,000.00 moved, not 3,000.00',
    );
  });

  it('thresholds are per currency: 120,000 JPY passes where 1,200.00 USD (120,000 minor units) steps up', async () => {
    const yen = await payer('JPY');
    const yenFriend = await d.signUp('Friend', 'JPY');
    await d.fund(yen.walletId, 1_000_000, 'JPY');
    assert.equal(
      (await send(yen.token, yenFriend.email, 120_000, 'JPY')).json().status,
      'succeeded',
    );
    const dollars = await payer();
    const friend = await d.signUp();
    await d.fund(dollars.walletId, 1_000_000);
    assert.equal(
      (await send(dollars.token, friend.email, 120_000)).json().status,
      'requires_action',
    );
  });
});
