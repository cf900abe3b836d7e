import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signingInput } from '../src/modules/identity/index.ts';
import { maskCardNumbers } from '../src/modules/vault/index.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';
import { awayFromTotpStepEdge } from './support/totp-timing.ts';

let t: TestSystem;
before(async () => {
  // 100.00 USD per payment, a day's allowance far above it: these tests are about the amount
  // and the device; factors may confirm at once (no cool-off).
  t = await startTestSystem({
    processor: true,
    env: { STEP_UP_LIMITS: 'USD=100/100000', NEW_FACTOR_COOL_OFF_HOURS: '0' },
  });
});
after(() => t.close());

const bank = { country: 'US', account_number: '000123456789', routing_number: '110000000' };

/**
 * A random Idempotency-Key the server takes as sent (the card-number masking rewrites about 1
 * in 150 UUIDs, which breaks device signatures: reported as a src bug, not this file's topic).
 */
function newKey(): string {
  let key = randomUUID();
  while (maskCardNumbers(key) !== key) key = randomUUID();
  return key;
}

function payout(
  token: string,
  amount: number,
  options: { key?: string; code?: string; account?: typeof bank } = {},
) {
  return t.request('POST', '/v1/payouts', {
    token,
    key: options.key ?? newKey(),
    body: {
      amount,
      currency: 'USD',
      bank_account: options.account ?? bank,
      ...(options.code === undefined ? {} : { code: options.code }),
    },
  });
}

/** A payout signed by a device key, over exactly the bytes sent. */
function signedPayout(
  token: string,
  device: { id: string; privateKey: KeyObject },
  amount: number,
  options: { key?: string; code?: string } = {},
) {
  const raw = JSON.stringify({
    amount,
    currency: 'USD',
    bank_account: bank,
    ...(options.code === undefined ? {} : { code: options.code }),
  });
  const idempotencyKey = options.key ?? newKey();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign(
    null,
    signingInput({ method: 'POST', path: '/v1/payouts', body: raw, timestamp, idempotencyKey }),
    device.privateKey,
  ).toString('base64url');
  return t.system.app.inject({
    method: 'POST',
    url: '/v1/payouts',
    payload: raw,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
      'kassa-device': device.id,
      'kassa-signature': `t=${timestamp},sig=${signature}`,
    },
  });
}

async function enrolDevice(token: string, name = 'Phone') {
  const pair = generateKeyPairSync('ed25519');
  const res = await t.request('POST', '/v1/devices', {
    token,
    body: { name, public_key: pair.publicKey.export({ format: 'jwk' }) },
  });
  assert.equal(res.statusCode, 201, res.body);
  return {
    id: res.json().id as string,
    trusted: res.json().trusted as boolean,
    privateKey: pair.privateKey,
  };
}

/** Payouts the processor stand-in has been asked to pay (money that left for a bank). */
async function payoutsAtProcessor(): Promise<number> {
  assert.ok(t.sim !== null);
  const res = await t.sim.app.inject({ method: 'GET', url: '/admin/settlement' });
  return res.json<{ data: { type: string }[] }>().data.filter((e) => e.type === 'payout').length;
}

/** The user's payouts as Kassa recorded them (any state). */
async function payoutsOf(email: string): Promise<{ amount: string; status: string }[]> {
  return t.system.db.query<{ amount: string; status: string }>(
    `select p.amount::text as amount, p.status from payments p join users u on u.id = p.payer_user_id
      where u.email = $1 and p.kind = 'payout' order by p.created_at`,
    [email],
  );
}

async function wallet(user: { token: string; walletId: string }) {
  const w = await t.balance(user.token, user.walletId);
  return { balance: w.balance, available: w.available };
}

/** Asserts a refusal that moved nothing: status, code, `money_moved: false`. */
function refused(
  res: { statusCode: number; body: string; json(): { error: Record<string, unknown> } },
  status: number,
  code: string,
) {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(res.json().error['code'], code, res.body);
  assert.equal(res.json().error['money_moved'], false, res.body);
}

/** A six-digit code that is none of the codes valid around now. */
function wrongCode(code: (offset?: number) => string): string {
  const valid = new Set([code(-1), code(0), code(1)]);
  for (let n = 0; ; n += 1) {
    const guess = String((Number(code(0)) + 1 + n * 7919) % 1_000_000).padStart(6, '0');
    if (!valid.has(guess)) return guess;
  }
}

describe('payouts are subject to step-up, as transfers are', () => {
  it('above the per-payment threshold without 2FA: 403 two_factor_required, no money leaves', async () => {
    const user = await t.signUp();
    await t.fund(user.walletId, 50_000);
    const sentBefore = await payoutsAtProcessor();
    const large = await payout(user.token, 10_001);
    refused(large, 403, 'two_factor_required');
    assert.equal(large.json().error.next_action, 'verify_2fa');
    // A code does not help a user who has no second factor.
    refused(await payout(user.token, 10_001, { code: '123456' }), 403, 'two_factor_required');
    assert.deepEqual(await wallet(user), { balance: 50_000, available: 50_000 });
    assert.deepEqual(await payoutsOf(user.email), [], 'nothing recorded, nothing held');
    assert.equal(await payoutsAtProcessor(), sentBefore, 'the processor was asked for nothing');
    // Exactly the threshold is not above it: it goes through.
    const limit = await payout(user.token, 10_000);
    assert.equal(limit.statusCode, 201, limit.body);
    assert.equal(limit.json().status, 'succeeded');
    assert.deepEqual(await wallet(user), { balance: 40_000, available: 40_000 });
    assert.equal(await payoutsAtProcessor(), sentBefore + 1);
  });

  it('with 2FA: no code → 403 step_up_required; a wrong code moves nothing; the right code pays out once', async () => {
    const user = await t.signUp();
    await t.fund(user.walletId, 50_000);
    const { code } = await t.enrolTwoFactor(user);
    await awayFromTotpStepEdge();
    const sentBefore = await payoutsAtProcessor();
    const key = newKey();
    const bare = await payout(user.token, 20_000, { key });
    refused(bare, 403, 'step_up_required');
    assert.equal(bare.json().error.param, 'code');
    assert.equal(bare.json().error.next_action, 'verify_2fa');
    const wrong = await payout(user.token, 20_000, { key, code: wrongCode(code) });
    refused(wrong, 401, 'invalid_2fa_code');
    assert.deepEqual(await wallet(user), { balance: 50_000, available: 50_000 });
    assert.deepEqual(await payoutsOf(user.email), []);
    assert.equal(await payoutsAtProcessor(), sentBefore);

    // The same request (same key, the code is not part of it) with a current code.
    const good = code(0);
    const paid = await payout(user.token, 20_000, { key, code: good });
    assert.equal(paid.statusCode, 201, paid.body);
    assert.match(paid.json().id, /^po_/);
    assert.equal(paid.json().status, 'succeeded');
    assert.deepEqual(await wallet(user), { balance: 30_000, available: 30_000 });
    const replay = await payout(user.token, 20_000, { key, code: good });
    assert.equal(replay.statusCode, 201, replay.body);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal(replay.json().id, paid.json().id);
    // A used code cannot pay out a second time under a new key.
    refused(await payout(user.token, 20_000, { code: good }), 401, 'invalid_2fa_code');
    assert.deepEqual(await wallet(user), { balance: 30_000, available: 30_000 });
    assert.deepEqual(await payoutsOf(user.email), [{ amount: '20000', status: 'succeeded' }]);
    assert.equal(await payoutsAtProcessor(), sentBefore + 1, 'paid out once');
  });

  it('small payouts go straight through, with or without 2FA, no code asked', async () => {
    const plain = await t.signUp();
    const secured = await t.signUp();
    await t.fund(plain.walletId, 10_000);
    await t.fund(secured.walletId, 10_000);
    await t.enrolTwoFactor(secured);
    for (const user of [plain, secured]) {
      const res = await payout(user.token, 5_000);
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().status, 'succeeded');
      assert.deepEqual(await wallet(user), { balance: 5_000, available: 5_000 });
    }
  });

  it('a session bound to a device: an unsigned payout is 401 and moves nothing; signed, it goes through', async () => {
    const user = await t.signUp();
    await t.fund(user.walletId, 10_000);
    const device = await enrolDevice(user.token);
    assert.equal(device.trusted, true, 'the first device is trusted');
    const bound = await t.request('POST', '/v1/sessions', {
      body: { email: user.email, password: 'correct horse battery' },
      headers: { 'kassa-device': device.id },
    });
    assert.equal(bound.statusCode, 201, bound.body);
    const token = bound.json().access_token as string;
    const sentBefore = await payoutsAtProcessor();
    const unsigned = await payout(token, 1_000);
    refused(unsigned, 401, 'invalid_device_signature');
    // Another device's id (or a forged signature) is no better than none.
    const other = await enrolDevice(user.token, 'Tablet');
    refused(await signedPayout(token, other, 1_000), 401, 'invalid_device_signature');
    const forged = { id: device.id, privateKey: generateKeyPairSync('ed25519').privateKey };
    refused(await signedPayout(token, forged, 1_000), 401, 'invalid_device_signature');
    assert.deepEqual(await wallet(user), { balance: 10_000, available: 10_000 });
    assert.deepEqual(await payoutsOf(user.email), []);
    assert.equal(await payoutsAtProcessor(), sentBefore);

    const signed = await signedPayout(token, device, 1_000);
    assert.equal(signed.statusCode, 201, signed.body);
    assert.equal(signed.json().status, 'succeeded');
    assert.deepEqual(await wallet(user), { balance: 9_000, available: 9_000 });
  });

  it('from an untrusted context (unsigned, the user has a trusted device) even a small payout needs a code', async () => {
    const user = await t.signUp();
    await t.fund(user.walletId, 10_000);
    const { code } = await t.enrolTwoFactor(user);
    await enrolDevice(user.token);
    const key = newKey();
    const bare = await payout(user.token, 1_000, { key });
    refused(bare, 403, 'step_up_required');
    assert.deepEqual(await wallet(user), { balance: 10_000, available: 10_000 });
    const paid = await payout(user.token, 1_000, { key, code: code(0) });
    assert.equal(paid.statusCode, 201, paid.body);
    assert.equal(paid.json().status, 'succeeded');
    assert.deepEqual(await wallet(user), { balance: 9_000, available: 9_000 });
  });
});

describe('a payout step-up decision belongs to the request, not to its Idempotency-Key', () => {
  it('a key whose small payout stored nothing (402) cannot carry a large one past step-up', async () => {
    const user = await t.signUp();
    await t.enrolTwoFactor(user);
    const key = newKey();
    // Small, so no step-up; refused for funds, and nothing is stored under the key.
    const poor = await payout(user.token, 1_000, { key });
    refused(poor, 402, 'insufficient_funds');
    await t.fund(user.walletId, 50_000);
    const large = await payout(user.token, 20_000, { key });
    refused(large, 403, 'step_up_required');
    assert.deepEqual(await wallet(user), { balance: 50_000, available: 50_000 });
    assert.deepEqual(await payoutsOf(user.email), []);
    // The original small request under that key is still decided as what it is.
    const small = await payout(user.token, 1_000, { key: newKey() });
    assert.equal(small.statusCode, 201, small.body);
    assert.deepEqual(await wallet(user), { balance: 49_000, available: 49_000 });
  });

  it('a key used by a small payout cannot be reused for a large one: 422, nothing more moves', async () => {
    const user = await t.signUp();
    await t.fund(user.walletId, 50_000);
    const { code } = await t.enrolTwoFactor(user);
    const key = newKey();
    const small = await payout(user.token, 1_000, { key });
    assert.equal(small.statusCode, 201, small.body);
    refused(await payout(user.token, 20_000, { key }), 422, 'idempotency_key_reused');
    refused(
      await payout(user.token, 20_000, { key, code: code(0) }),
      422,
      'idempotency_key_reused',
    );
    refused(
      await payout(user.token, 1_000, {
        key,
        account: { ...bank, account_number: '000999999999' },
      }),
      422,
      'idempotency_key_reused',
    );
    assert.deepEqual(await wallet(user), { balance: 49_000, available: 49_000 });
    assert.deepEqual(await payoutsOf(user.email), [{ amount: '1000', status: 'succeeded' }]);
  });
});

describe('regressions found by the review tests', () => {
  it('a signed payout whose Idempotency-Key happens to hold a Luhn-valid digit run is accepted', async () => {
    const user = await t.signUp();
    await t.fund(user.walletId, 10_000);
    const device = await enrolDevice(user.token);
    let key = randomUUID();
    while (maskCardNumbers(key) === key) key = randomUUID();
    const res = await signedPayout(user.token, device, 1_000, { key });
    assert.equal(res.statusCode, 201, `key ${key}: ${res.body}`);
  });
});
