import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signingInput } from '../src/modules/identity/index.ts';
import { maskCardNumbers } from '../src/modules/vault/index.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';
import { awayFromTotpStepEdge } from './support/totp-timing.ts';

let t: TestSystem;
before(async () => {
  // 100.00 USD per payment, 150.00 a day; a new factor cools off for the default 24 hours.
  t = await startTestSystem({ processor: true, env: { STEP_UP_LIMITS: 'USD=100/150' } });
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

type Device = { id: string; trusted: boolean; privateKey: KeyObject };

async function enrolDevice(token: string, name: string): Promise<Device> {
  const pair = generateKeyPairSync('ed25519');
  const res = await t.request('POST', '/v1/devices', {
    token,
    body: { name, public_key: pair.publicKey.export({ format: 'jwk' }) },
  });
  assert.equal(res.statusCode, 201, res.body);
  return { id: res.json().id, trusted: res.json().trusted, privateKey: pair.privateKey };
}

/**
 * A POST, signed by `device` when given (over exactly the bytes sent). `skew` moves the
 * signature's timestamp: the same request signed again within a second would be the same
 * Ed25519 signature, which the server refuses as a replay.
 */
function post(token: string, url: string, body: object, device?: Device, key = newKey(), skew = 0) {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    'idempotency-key': key,
  };
  if (device !== undefined) {
    const timestamp = String(Math.floor(Date.now() / 1000) + skew);
    const data = signingInput({
      method: 'POST',
      path: url,
      body: raw,
      timestamp,
      idempotencyKey: key,
    });
    headers['kassa-device'] = device.id;
    headers['kassa-signature'] =
      `t=${timestamp},sig=${sign(null, data, device.privateKey).toString('base64url')}`;
  }
  return t.system.app.inject({ method: 'POST', url, payload: raw, headers });
}

const transfer = (to: string, amount: number) => ({ to, amount, currency: 'USD' });

async function userId(email: string): Promise<string> {
  const rows = await t.system.db.query<{ id: string }>('select id from users where email = $1', [
    email,
  ]);
  assert.ok(rows[0] !== undefined);
  return rows[0].id;
}

/** Moves the user's factor's enrolment to `hoursAgo` hours ago (25: past the cool-off). */
async function factorEnabled(email: string, hoursAgo: number): Promise<void> {
  const changed = await t.system.db.query(
    `update user_totp set enabled_at = now() - make_interval(hours => $2)
      where user_id = (select id from users where email = $1) and status = 'enabled' returning 1`,
    [email, hoursAgo],
  );
  assert.equal(changed.length, 1);
}

/** The user's payments that wait for a second factor, with why. */
async function waiting(email: string): Promise<{ amount: string; step_up_reason: string }[]> {
  return t.system.db.query(
    `select p.amount::text as amount, p.step_up_reason from payments p
      where p.payer_user_id = $1 and p.status = 'requires_action' order by p.created_at`,
    [await userId(email)],
  );
}

function refused(
  res: { statusCode: number; body: string; json(): { error: Record<string, unknown> } },
  status: number,
  code: string,
) {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(res.json().error['code'], code, res.body);
  assert.equal(res.json().error['money_moved'], false, res.body);
}

/**
 * A user whose first device is trusted (so an unsigned request of theirs counts as an
 * untrusted device) and whose second factor was turned on just now.
 */
async function youngFactorUser(funds: number) {
  const user = await t.signUp();
  await t.fund(user.walletId, funds);
  const phone = await enrolDevice(user.token, 'Phone');
  assert.equal(phone.trusted, true);
  const { code } = await t.enrolTwoFactor(user);
  return { ...user, phone, code };
}

describe('an untrusted device does not hide a large amount from the new-factor cool-off', () => {
  it('a large transfer, unsigned or signed by an untrusted device, with a factor minutes old: 403 new_factor_cooling_off, nothing waits, nothing moves', async () => {
    const alice = await youngFactorUser(50_000);
    const bob = await t.signUp();
    const tablet = await enrolDevice(alice.token, 'Tablet');
    assert.equal(tablet.trusted, false);
    for (const device of [undefined, tablet]) {
      const res = await post(alice.token, '/v1/transfers', transfer(bob.email, 20_000), device);
      refused(res, 403, 'new_factor_cooling_off');
      assert.ok(Number(res.headers['retry-after']) > 23 * 3600, String(res.headers['retry-after']));
    }
    assert.deepEqual(await waiting(alice.email), [], 'nothing left to confirm with the new code');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
    assert.equal((await t.balance(alice.token, alice.walletId)).available, 50_000);
  });

  it('the daily amount too: past 150.00 today, from an untrusted context, a young factor cannot confirm it', async () => {
    const alice = await youngFactorUser(50_000);
    const bob = await t.signUp();
    const first = await post(alice.token, '/v1/transfers', transfer(bob.email, 8_000), alice.phone);
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(
      first.json().status,
      'succeeded',
      'signed by the trusted phone, under both limits',
    );
    const second = await post(alice.token, '/v1/transfers', transfer(bob.email, 8_000));
    refused(second, 403, 'new_factor_cooling_off');
    assert.deepEqual(await waiting(alice.email), []);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 8_000);
  });

  it('a large transfer waiting for a code (reason: amount) is refused at confirmation while the factor is young', async () => {
    const alice = await youngFactorUser(50_000);
    const bob = await t.signUp();
    await factorEnabled(alice.email, 25);
    const created = await post(alice.token, '/v1/transfers', transfer(bob.email, 20_000));
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().status, 'requires_action');
    assert.deepEqual(
      await waiting(alice.email),
      [{ amount: '20000', step_up_reason: 'amount' }],
      'the amount is the reason, not the untrusted device',
    );
    // The factor is replaced meanwhile (a thief with the password enrols their own).
    await factorEnabled(alice.email, 0);
    await awayFromTotpStepEdge();
    const confirm = await post(alice.token, `/v1/transfers/${created.json().id}/confirm`, {
      code: alice.code(0),
    });
    refused(confirm, 403, 'new_factor_cooling_off');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
    assert.equal((await waiting(alice.email)).length, 1, 'still waiting, not consumed');
    // Once the factor is old enough, the same code confirms it: the refusal was the factor's age.
    await factorEnabled(alice.email, 25);
    const later = await post(alice.token, `/v1/transfers/${created.json().id}/confirm`, {
      code: alice.code(0),
    });
    assert.equal(later.statusCode, 200, later.body);
    assert.equal(later.json().status, 'succeeded');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 20_000);
  });

  it('a small transfer from an untrusted context steps up for the device only: a young factor may confirm that', async () => {
    const alice = await youngFactorUser(50_000);
    const bob = await t.signUp();
    const created = await post(alice.token, '/v1/transfers', transfer(bob.email, 1_000));
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().status, 'requires_action');
    assert.deepEqual(await waiting(alice.email), [
      { amount: '1000', step_up_reason: 'untrusted_device' },
    ]);
    await awayFromTotpStepEdge();
    const confirmed = await post(alice.token, `/v1/transfers/${created.json().id}/confirm`, {
      code: alice.code(0),
    });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 1_000);
  });

  it('a large payout from an untrusted context with a valid code and a young factor: 403 new_factor_cooling_off, no money leaves', async () => {
    const alice = await youngFactorUser(50_000);
    await awayFromTotpStepEdge();
    const res = await post(alice.token, '/v1/payouts', {
      amount: 20_000,
      currency: 'USD',
      bank_account: bank,
      code: alice.code(0),
    });
    refused(res, 403, 'new_factor_cooling_off');
    assert.deepEqual(await t.balance(alice.token, alice.walletId), {
      ...(await t.balance(alice.token, alice.walletId)),
      balance: 50_000,
      available: 50_000,
    });
    const payouts = await t.system.db.query(
      "select 1 from payments where kind = 'payout' and payer_user_id = $1",
      [await userId(alice.email)],
    );
    assert.equal(payouts.length, 0);
  });
});

describe('a step-up decision is bound to the request, not only to its Idempotency-Key', () => {
  it('key K of a small transfer reused with a large amount: 422 idempotency_key_reused; only the small amount moved', async () => {
    const alice = await youngFactorUser(50_000);
    await factorEnabled(alice.email, 25);
    const bob = await t.signUp();
    const key = newKey();
    const small = await post(
      alice.token,
      '/v1/transfers',
      transfer(bob.email, 1_000),
      alice.phone,
      key,
    );
    assert.equal(small.statusCode, 201, small.body);
    assert.equal(small.json().status, 'succeeded');
    const large = await post(
      alice.token,
      '/v1/transfers',
      transfer(bob.email, 20_000),
      alice.phone,
      key,
    );
    refused(large, 422, 'idempotency_key_reused');
    assert.deepEqual(await waiting(alice.email), [], 'no large transfer waits either');
    const replay = await post(
      alice.token,
      '/v1/transfers',
      transfer(bob.email, 1_000),
      alice.phone,
      key,
      // A signature other than the first one's: one second back collided with it whenever the
      // replay ran exactly a second after the original (seen once under the full suite).
      -30,
    );
    assert.equal(replay.statusCode, 201, replay.body);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal(replay.json().id, small.json().id);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 1_000);
    assert.equal((await t.balance(alice.token, alice.walletId)).balance, 49_000);
  });

  it('without 2FA, a reused key is refused as reused: it neither borrows the small transfer’s decision nor replaces it', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 50_000);
    const key = newKey();
    const small = await post(
      alice.token,
      '/v1/transfers',
      transfer(bob.email, 1_000),
      undefined,
      key,
    );
    assert.equal(small.json().status, 'succeeded', small.body);
    const large = await post(
      alice.token,
      '/v1/transfers',
      transfer(bob.email, 20_000),
      undefined,
      key,
    );
    refused(large, 422, 'idempotency_key_reused');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 1_000);
    // The genuine retry still replays the small transfer.
    const retry = await post(
      alice.token,
      '/v1/transfers',
      transfer(bob.email, 1_000),
      undefined,
      key,
    );
    assert.equal(retry.statusCode, 201, retry.body);
    assert.equal(retry.json().id, small.json().id);
  });

  it('two keys, the same body: each is decided on its own (the second passes the day’s limit); a retry is not counted twice', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 50_000);
    const body = transfer(bob.email, 8_000);
    const k1 = newKey();
    const first = await post(alice.token, '/v1/transfers', body, undefined, k1);
    assert.equal(first.json().status, 'succeeded', first.body);
    // 8,000 + 8,000 is past the day's 15,000: the same body under a new key steps up.
    const daily = await post(alice.token, '/v1/transfers', body);
    refused(daily, 403, 'two_factor_required');
    assert.match(daily.json().error.message, /daily amount/, 'the payer is told why');
    const retry = await post(alice.token, '/v1/transfers', body, undefined, k1);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(retry.json().id, first.json().id);
    // Neither the retry nor the refused request counted: 8,000 + 7,000 is exactly the limit.
    const rest = await post(alice.token, '/v1/transfers', transfer(bob.email, 7_000));
    assert.equal(rest.json().status, 'succeeded', rest.body);
    refused(
      await post(alice.token, '/v1/transfers', transfer(bob.email, 1)),
      403,
      'two_factor_required',
    );
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 15_000);
  });

  it('sent at the same moment under two keys, the same body moves once and steps up once', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 50_000);
    const body = transfer(bob.email, 8_000);
    const answers = await Promise.all([
      post(alice.token, '/v1/transfers', body),
      post(alice.token, '/v1/transfers', body),
    ]);
    const outcomes = answers
      .map((a) => (a.statusCode === 201 ? a.json().status : a.json().error.code) as string)
      .sort();
    assert.deepEqual(
      outcomes,
      ['succeeded', 'two_factor_required'],
      answers.map((a) => a.body).join('\n'),
    );
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 8_000);
  });
});

describe('regressions found by the review tests', () => {
  it('after key K was misused with another body, the genuine retry of K’s transfer replays its success', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 50_000);
    const key = newKey();
    const first = await post(
      alice.token,
      '/v1/transfers',
      transfer(bob.email, 8_000),
      undefined,
      key,
    );
    assert.equal(first.json().status, 'succeeded', first.body);
    const misuse = await post(
      alice.token,
      '/v1/transfers',
      transfer(bob.email, 20_000),
      undefined,
      key,
    );
    assert.ok(misuse.statusCode >= 400, misuse.body);
    const retry = await post(
      alice.token,
      '/v1/transfers',
      transfer(bob.email, 8_000),
      undefined,
      key,
    );
    assert.equal(retry.statusCode, 201, retry.body);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(retry.json().id, first.json().id);
  });
});
