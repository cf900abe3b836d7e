import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

describe('P2P transfers', () => {
  it('moves money between wallets, by email, user id or wallet id, and shows in both histories', async () => {
    const alice = await t.signUp('Alice');
    const bob = await t.signUp('Bob');
    await t.fund(alice.walletId, 10_000);
    for (const to of [bob.email, bob.userId, bob.walletId]) {
      const res = await t.request('POST', '/v1/transfers', {
        token: alice.token,
        key: randomUUID(),
        body: { to, amount: 1000, currency: 'USD', description: 'lunch' },
      });
      assert.equal(res.statusCode, 201, res.body);
      const transfer = res.json();
      assert.equal(transfer.status, 'succeeded');
      assert.match(transfer.id, /^trf_/);
      assert.equal(transfer.to.wallet, bob.walletId);
      const seen = await t.request('GET', `/v1/transfers/${transfer.id}`, { token: bob.token });
      assert.equal(seen.statusCode, 200);
    }
    assert.equal((await t.balance(alice.token, alice.walletId)).balance, 7000);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 3000);
    const history = (
      await t.request('GET', `/v1/wallets/${bob.walletId}/transactions`, { token: bob.token })
    ).json();
    assert.equal(history.data.length, 3);
    assert.ok(
      history.data.every(
        (item: { direction: string; counterparty: { name: string } }) =>
          item.direction === 'credit' && item.counterparty.name === 'Alice',
      ),
    );
  });

  it('declines with insufficient_funds, money_moved false, and moves nothing', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 500);
    const res = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key: randomUUID(),
      body: { to: bob.email, amount: 501, currency: 'USD' },
    });
    assert.equal(res.statusCode, 402);
    const error = res.json().error;
    assert.equal(error.code, 'insufficient_funds');
    assert.equal(error.money_moved, false);
    assert.equal(error.next_action, 'top_up');
    assert.match(error.request_id, /^req_/);
    assert.equal((await t.balance(alice.token, alice.walletId)).balance, 500);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
  });

  it('refuses sending to yourself and to unknown recipients', async () => {
    const alice = await t.signUp();
    await t.fund(alice.walletId, 500);
    const self = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key: randomUUID(),
      body: { to: alice.email, amount: 1, currency: 'USD' },
    });
    assert.equal(self.json().error.code, 'recipient_is_sender');
    const nobody = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key: randomUUID(),
      body: { to: 'nobody@kassa.test', amount: 1, currency: 'USD' },
    });
    assert.equal(nobody.statusCode, 404);
    assert.equal(nobody.json().error.code, 'recipient_not_found');
  });

  it('pages history with starting_after, newest first', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 1000);
    for (let i = 0; i < 5; i += 1) {
      await t.request('POST', '/v1/transfers', {
        token: alice.token,
        key: randomUUID(),
        body: { to: bob.email, amount: 10 + i, currency: 'USD' },
      });
    }
    const first = (
      await t.request('GET', `/v1/wallets/${alice.walletId}/transactions?limit=4`, {
        token: alice.token,
      })
    ).json();
    assert.equal(first.has_more, true);
    assert.deepEqual(
      first.data.map((d: { amount: number }) => d.amount),
      [14, 13, 12, 11],
    );
    const second = (
      await t.request(
        'GET',
        `/v1/wallets/${alice.walletId}/transactions?limit=4&starting_after=${first.data[3].id}`,
        { token: alice.token },
      )
    ).json();
    assert.deepEqual(
      second.data.map((d: { amount: number }) => d.amount),
      [10, 1000],
    );
    assert.equal(second.has_more, false);
  });
});

describe('merchant payments', () => {
  it('automatic capture splits the fee as linked transfers, then partial and full refunds return it', async () => {
    const payer = await t.signUp();
    await t.fund(payer.walletId, 100_000);
    const merchant = await t.createMerchant({ feeBps: 290 });
    const res = await t.request('POST', '/v1/payments', {
      token: payer.token,
      key: randomUUID(),
      body: { merchant: merchant.id, amount: 10_000, currency: 'USD' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const payment = res.json();
    assert.deepEqual(
      [payment.status, payment.amount_captured, payment.fee],
      ['succeeded', 10_000, 290],
    );
    assert.equal((await t.balance(payer.token, payer.walletId)).balance, 90_000);

    const asMerchant = await t.request('GET', `/v1/payments/${payment.id}`, {
      token: merchant.secretKey,
    });
    assert.equal(asMerchant.statusCode, 200);

    const partial = await t.request('POST', '/v1/refunds', {
      token: merchant.secretKey,
      key: randomUUID(),
      body: { payment: payment.id, amount: 4_000 },
    });
    assert.equal(partial.statusCode, 201, partial.body);
    assert.match(partial.json().id, /^ref_/);
    const tooMuch = await t.request('POST', '/v1/refunds', {
      token: merchant.secretKey,
      key: randomUUID(),
      body: { payment: payment.id, amount: 6_001 },
    });
    assert.equal(tooMuch.json().error.code, 'refund_exceeds_captured');
    const rest = await t.request('POST', '/v1/refunds', {
      token: merchant.secretKey,
      key: randomUUID(),
      body: { payment: payment.id },
    });
    assert.equal(rest.statusCode, 201, rest.body);
    assert.equal(rest.json().amount, 6_000);
    assert.equal((await t.balance(payer.token, payer.walletId)).balance, 100_000);
    const after = (
      await t.request('GET', `/v1/payments/${payment.id}`, { token: payer.token })
    ).json();
    assert.equal(after.amount_refunded, 10_000);
    const none = await t.request('POST', '/v1/refunds', {
      token: merchant.secretKey,
      key: randomUUID(),
      body: { payment: payment.id, amount: 1 },
    });
    assert.equal(none.json().error.code, 'refund_exceeds_captured');
    const verify = (
      await t.request('GET', '/v1/admin/ledger/verify', { token: t.operatorKey })
    ).json();
    assert.equal(verify.balanced, true);
  });

  it('manual capture holds funds, captures part, releases the rest', async () => {
    const payer = await t.signUp();
    await t.fund(payer.walletId, 5_000);
    const merchant = await t.createMerchant({ feeBps: 100 });
    const held = (
      await t.request('POST', '/v1/payments', {
        token: payer.token,
        key: randomUUID(),
        body: { merchant: merchant.id, amount: 4_000, currency: 'USD', capture: 'manual' },
      })
    ).json();
    assert.equal(held.status, 'requires_capture');
    assert.ok(held.capture_before);
    assert.deepEqual(await t.balance(payer.token, payer.walletId), {
      id: payer.walletId,
      object: 'wallet',
      currency: 'USD',
      balance: 5_000,
      available: 1_000,
      pending: -4_000,
    });
    const tooMuch = await t.request('POST', `/v1/payments/${held.id}/capture`, {
      token: merchant.secretKey,
      key: randomUUID(),
      body: { amount: 4_001 },
    });
    assert.equal(tooMuch.json().error.code, 'capture_exceeds_authorized');
    const captured = await t.request('POST', `/v1/payments/${held.id}/capture`, {
      token: merchant.secretKey,
      key: randomUUID(),
      body: { amount: 3_000 },
    });
    assert.equal(captured.statusCode, 200, captured.body);
    assert.deepEqual(
      [captured.json().status, captured.json().amount_captured, captured.json().fee],
      ['succeeded', 3_000, 30],
    );
    const balance = await t.balance(payer.token, payer.walletId);
    assert.deepEqual([balance.balance, balance.available, balance.pending], [2_000, 2_000, 0]);
    const twice = await t.request('POST', `/v1/payments/${held.id}/capture`, {
      token: merchant.secretKey,
      key: randomUUID(),
      body: {},
    });
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().error.code, 'payment_not_capturable');
  });

  it('the payer or the merchant can cancel a hold; a canceled hold cannot be captured', async () => {
    const payer = await t.signUp();
    await t.fund(payer.walletId, 1_000);
    const merchant = await t.createMerchant();
    for (const actor of [payer.token, merchant.secretKey]) {
      const held = (
        await t.request('POST', '/v1/payments', {
          token: payer.token,
          key: randomUUID(),
          body: { merchant: merchant.id, amount: 800, currency: 'USD', capture: 'manual' },
        })
      ).json();
      const canceled = await t.request('POST', `/v1/payments/${held.id}/cancel`, {
        token: actor,
        key: randomUUID(),
      });
      assert.equal(canceled.statusCode, 200, canceled.body);
      assert.equal(canceled.json().status, 'canceled');
      assert.equal((await t.balance(payer.token, payer.walletId)).available, 1_000);
      const capture = await t.request('POST', `/v1/payments/${held.id}/capture`, {
        token: merchant.secretKey,
        key: randomUUID(),
        body: {},
      });
      assert.equal(capture.json().error.code, 'payment_not_capturable');
    }
  });

  it('an expired hold is released by the worker and can no longer be captured', async () => {
    const payer = await t.signUp();
    await t.fund(payer.walletId, 1_000);
    const merchant = await t.createMerchant();
    const held = (
      await t.request('POST', '/v1/payments', {
        token: payer.token,
        key: randomUUID(),
        body: { merchant: merchant.id, amount: 600, currency: 'USD', capture: 'manual' },
      })
    ).json();
    await t.system.db.query(
      `update payments set hold_expires_at = now() - interval '1 second' where status = 'requires_capture'`,
    );
    await t.system.db.query(
      `update ledger_pending_transfers set expires_at = now() - interval '1 second' where status = 'pending'`,
    );
    const capture = await t.request('POST', `/v1/payments/${held.id}/capture`, {
      token: merchant.secretKey,
      key: randomUUID(),
      body: {},
    });
    assert.equal(capture.json().error.code, 'hold_expired');
    const { expireHolds } = await import('../src/modules/payments/index.ts');
    assert.ok(
      (await expireHolds({ db: t.system.db, ledger: t.system.ledger, clock: t.system.clock })) >= 1,
    );
    const after = (
      await t.request('GET', `/v1/payments/${held.id}`, { token: payer.token })
    ).json();
    assert.deepEqual([after.status, after.cancellation_reason], ['canceled', 'expired']);
    assert.equal((await t.balance(payer.token, payer.walletId)).available, 1_000);
  });

  it('lists payments for the payer and for the merchant, each seeing only their own', async () => {
    const payer = await t.signUp();
    const other = await t.signUp();
    await t.fund(payer.walletId, 1_000);
    await t.fund(other.walletId, 1_000);
    const merchant = await t.createMerchant();
    for (const user of [payer, other]) {
      await t.request('POST', '/v1/payments', {
        token: user.token,
        key: randomUUID(),
        body: { merchant: merchant.id, amount: 100, currency: 'USD' },
      });
    }
    const mine = (await t.request('GET', '/v1/payments', { token: payer.token })).json();
    assert.equal(mine.data.length, 1);
    const merchants = (
      await t.request('GET', '/v1/payments?limit=1', { token: merchant.secretKey })
    ).json();
    assert.equal(merchants.data.length, 1);
    assert.equal(merchants.has_more, true);
  });

  it('refuses a payment in another currency than the merchant accepts', async () => {
    const payer = await t.signUp();
    const merchant = await t.createMerchant({ currency: 'EUR' });
    const res = await t.request('POST', '/v1/payments', {
      token: payer.token,
      key: randomUUID(),
      body: { merchant: merchant.id, amount: 100, currency: 'USD' },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'currency_mismatch');
  });
});

describe('sessions', () => {
  it('logs in, refreshes with rotation, detects reuse and logs out', async () => {
    const user = await t.signUp();
    const login = (
      await t.request('POST', '/v1/sessions', {
        body: { email: user.email, password: 'correct horse battery' },
      })
    ).json();
    assert.equal(login.token_type, 'Bearer');
    const refreshed = await t.request('POST', '/v1/sessions/refresh', {
      body: { refresh_token: login.refresh_token },
    });
    assert.equal(refreshed.statusCode, 201);
    const reused = await t.request('POST', '/v1/sessions/refresh', {
      body: { refresh_token: login.refresh_token },
    });
    assert.equal(reused.statusCode, 401);
    const familyDead = await t.request('POST', '/v1/sessions/refresh', {
      body: { refresh_token: refreshed.json().refresh_token },
    });
    assert.equal(familyDead.statusCode, 401, 'reuse revokes the whole family');
    const me = await t.request('GET', '/v1/me', { token: refreshed.json().access_token });
    assert.equal(me.statusCode, 401, 'access tokens of a revoked family die with it');
  });

  it('answers a wrong password and an unknown email with the same error', async () => {
    const user = await t.signUp();
    const wrong = await t.request('POST', '/v1/sessions', {
      body: { email: user.email, password: 'wrong password!' },
    });
    const unknown = await t.request('POST', '/v1/sessions', {
      body: { email: 'nobody@kassa.test', password: 'wrong password!' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(
      { ...wrong.json().error, request_id: '' },
      { ...unknown.json().error, request_id: '' },
    );
  });
});
