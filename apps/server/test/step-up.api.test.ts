import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { base32Decode, hotp, totpStep } from '../src/modules/identity/domain/totp.ts';
import { awayFromTotpStepEdge } from './support/totp-timing.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem({ env: { STEP_UP_AMOUNT_MINOR: '10000' } });
});
after(() => t.close());

/** A user with 2FA on; `code(offset)` gives the code of the step `offset` away from now. */
async function userWith2fa() {
  await awayFromTotpStepEdge();
  const user = await t.signUp();
  const { secret } = (await t.request('POST', '/v1/2fa/totp', { token: user.token })).json();
  const key = base32Decode(secret as string);
  const code = (offset: number) => hotp(key, totpStep(new Date()) + BigInt(offset));
  const confirm = await t.request('POST', '/v1/2fa/totp/confirm', {
    token: user.token,
    body: { code: code(-1) },
  });
  assert.equal(confirm.statusCode, 200, confirm.body);
  return { ...user, code };
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
