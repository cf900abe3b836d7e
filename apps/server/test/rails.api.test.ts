import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { createHmac, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import { decodeId } from '../src/kernel/ids.ts';
import { reconcile } from '../src/modules/rails/index.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

const execFileAsync = (file: string, args: string[], options: object) =>
  promisify(execFile)(file, args, { ...options, encoding: 'utf8' }).then(
    (out) => ({ ...out, code: 0 }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

let t: TestSystem;
before(async () => {
  t = await startTestSystem({
    processor: { callbacks: false },
    env: { PROCESSOR_BREAKER_COOLDOWN_MS: '300', PROCESSOR_RETRIES: '1' },
  });
});
after(() => t.close());
beforeEach(() => faults(null));

const visa = '4242424242424242';
const bank = { country: 'US', account_number: '000123456789', routing_number: '110000000' };

async function faults(body: Record<string, number> | null) {
  const url = `${String(t.system.processor === null ? '' : simUrl())}/admin/faults`;
  const res = await fetch(url, {
    method: body === null ? 'DELETE' : 'POST',
    ...(body === null
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  assert.equal(res.status, 200, await res.text());
}

function simUrl(): string {
  const address = t.sim?.app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  return `http://127.0.0.1:${address.port}`;
}

async function settlement() {
  const res = await fetch(`${simUrl()}/admin/settlement`);
  return (
    (await res.json()) as { data: { type: string; idempotency_key: string; amount: number }[] }
  ).data;
}

async function topup(token: string, pm: string, amount: number, key = randomUUID()) {
  return t.request('POST', '/v1/topups', {
    token,
    key,
    body: { payment_method: pm, amount, currency: 'USD' },
  });
}

async function payout(token: string, amount: number, account = bank, key = randomUUID()) {
  return t.request('POST', '/v1/payouts', {
    token,
    key,
    body: { amount, currency: 'USD', bank_account: account },
  });
}

describe('top-ups', () => {
  it('charges a saved card once and credits the wallet; a retry replays', async () => {
    const user = await t.signUp();
    const pm = await t.addCard(user.token, visa);
    const key = randomUUID();
    const first = await topup(user.token, pm, 5_000, key);
    assert.equal(first.statusCode, 201, first.body);
    const body = first.json();
    assert.match(body.id, /^top_/);
    assert.equal(body.status, 'succeeded');
    assert.equal(body.payment_method, pm);
    assert.equal((await t.balance(user.token, user.walletId)).balance, 5_000);
    const again = await topup(user.token, pm, 5_000, key);
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.json().id, body.id);
    assert.equal((await t.balance(user.token, user.walletId)).balance, 5_000);
    const captures = (await settlement()).filter(
      (e) => e.idempotency_key === `kassa_topup_${decodeId('top', body.id) ?? ''}`,
    );
    assert.deepEqual(
      captures.map((e) => [e.type, e.amount]),
      [['capture', 5_000]],
    );
    const got = await t.request('GET', `/v1/topups/${body.id}`, { token: user.token });
    assert.equal(got.statusCode, 200);
    assert.equal(got.json().status, 'succeeded');
    const history = await t.request('GET', `/v1/wallets/${user.walletId}/transactions`, {
      token: user.token,
    });
    assert.equal(history.json().data[0].id, body.id);
    assert.equal(history.json().data[0].direction, 'credit');
  });

  it('declines end as failed with the processor’s code and move nothing', async () => {
    const user = await t.signUp();
    for (const [number, code] of [
      ['4000000000000002', 'card_declined'],
      ['4000000000009995', 'insufficient_funds'],
      ['4000000000000119', 'processing_error'],
    ] as const) {
      const pm = await t.addCard(user.token, number);
      const res = await topup(user.token, pm, 1_000);
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().status, 'failed');
      assert.equal(res.json().failure_code, code);
    }
    assert.equal((await t.balance(user.token, user.walletId)).balance, 0);
  });

  it('bad input, a foreign card or another user’s top-up: clear errors, nothing stored', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    const bobsCard = await t.addCard(bob.token, visa);
    const before = await t.system.db.query<{ n: string }>(
      'select count(*)::text as n from payments',
    );
    const foreign = await topup(alice.token, bobsCard, 1_000);
    assert.equal(foreign.statusCode, 404);
    assert.equal(foreign.json().error.code, 'payment_method_not_found');
    const noKey = await t.request('POST', '/v1/topups', {
      token: alice.token,
      body: { payment_method: bobsCard, amount: 1_000, currency: 'USD' },
    });
    assert.equal(noKey.json().error.code, 'idempotency_key_missing');
    for (const body of [
      { payment_method: bobsCard, amount: 0, currency: 'USD' },
      { payment_method: bobsCard, amount: 10, currency: 'usd' },
      { payment_method: bobsCard, amount: 10, currency: 'USD', status: 'succeeded' },
      { payment_method: 'pm_nope', amount: 10, currency: 'USD' },
    ]) {
      const res = await t.request('POST', '/v1/topups', {
        token: alice.token,
        key: randomUUID(),
        body,
      });
      assert.ok([400, 404].includes(res.statusCode), res.body);
      assert.equal(res.json().error.money_moved, false);
    }
    const noWallet = await topup(alice.token, await t.addCard(alice.token, visa), 10).then(
      async () =>
        t.request('POST', '/v1/topups', {
          token: alice.token,
          key: randomUUID(),
          body: { payment_method: await t.addCard(alice.token, visa), amount: 10, currency: 'EUR' },
        }),
    );
    assert.equal(noWallet.json().error.code, 'wallet_not_found');
    const after = await t.system.db.query<{ n: string }>(
      'select count(*)::text as n from payments',
    );
    assert.equal(Number(after[0]?.n), Number(before[0]?.n) + 1, 'only the one valid top-up');
    const bobsTopup = await topup(bob.token, bobsCard, 100);
    const peek = await t.request('GET', `/v1/topups/${bobsTopup.json().id}`, {
      token: alice.token,
    });
    assert.equal(peek.statusCode, 404);
  });

  it('a reply lost every time leaves outcome_unknown; a retry with the same key finishes it, charged once', async () => {
    const user = await t.signUp();
    const pm = await t.addCard(user.token, visa);
    await faults({ lost_reply_rate: 1 });
    const key = randomUUID();
    const first = await topup(user.token, pm, 2_500, key);
    assert.equal(first.statusCode, 202, first.body);
    assert.equal(first.json().status, 'outcome_unknown');
    assert.equal((await t.balance(user.token, user.walletId)).balance, 0);
    await faults(null);
    await sleep(350); // the breaker may have opened on the lost replies
    const retry = await topup(user.token, pm, 2_500, key);
    assert.equal(retry.statusCode, 201, retry.body);
    assert.equal(retry.json().status, 'succeeded');
    assert.equal((await t.balance(user.token, user.walletId)).balance, 2_500);
    const id = retry.json().id as string;
    const flow = await t.system.db.query<{ processor_key: string }>(
      'select processor_key from processor_flows f join payments p on p.id = f.payment_id where p.amount = 2500 and p.payer_user_id = (select user_id from wallets where id = p.payee_account_id)',
    );
    assert.ok(flow.length >= 1, id);
    const keys = new Set(flow.map((f) => f.processor_key));
    const charges = (await settlement()).filter((e) => keys.has(e.idempotency_key));
    assert.equal(charges.length, 1, 'the processor captured once');
  });

  it('the worker resolves an abandoned top-up by asking the processor', async () => {
    const user = await t.signUp();
    const pm = await t.addCard(user.token, visa);
    await faults({ lost_reply_rate: 1 });
    const charged = await topup(user.token, pm, 700);
    await faults({ timeout_rate: 1 });
    const neverArrived = await topup(user.token, pm, 300);
    assert.equal(charged.json().status, 'outcome_unknown');
    assert.equal(neverArrived.json().status, 'outcome_unknown');
    await faults(null);
    await sleep(350);
    const ran = await t.system.startWorker(3_600_000).runOnce();
    assert.ok(ran.flowsResolved >= 2, JSON.stringify(ran));
    const a = await t.request('GET', `/v1/topups/${charged.json().id}`, { token: user.token });
    const b = await t.request('GET', `/v1/topups/${neverArrived.json().id}`, { token: user.token });
    assert.equal(a.json().status, 'succeeded', 'the lost reply hid a capture: credited');
    assert.equal(b.json().status, 'failed', 'the processor never saw it: failed, nothing charged');
    assert.equal(b.json().failure_code, 'processor_unavailable');
    assert.equal((await t.balance(user.token, user.walletId)).balance, 700);
  });
});

describe('3-D Secure (the card that requires authentication)', () => {
  async function challenged(
    user: { token: string },
    key: ReturnType<typeof randomUUID>,
    amount: number,
  ) {
    const pm = await t.addCard(user.token, '4000000000003220');
    const res = await topup(user.token, pm, amount, key);
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json();
    assert.equal(body.status, 'requires_action');
    assert.equal(body.next_action.type, 'authenticate_card');
    const page = await fetch(body.next_action.url as string);
    assert.match(await page.text(), /Confirm a payment of <b>[0-9.]+ USD<\/b>/);
    return { pm, url: body.next_action.url as string, id: body.id as string };
  }

  it('confirmed at the bank: the retry with the same key credits once', async () => {
    const user = await t.signUp();
    const key = randomUUID();
    const { pm, url } = await challenged(user, key, 3_000);
    assert.equal(
      (await t.balance(user.token, user.walletId)).balance,
      0,
      'nothing before confirmation',
    );
    assert.equal((await fetch(`${url}/approve`, { method: 'POST' })).status, 200);
    const retry = await topup(user.token, pm, 3_000, key);
    assert.equal(retry.statusCode, 201, retry.body);
    assert.equal(retry.json().status, 'succeeded');
    assert.equal(retry.json().next_action, null);
    const again = await topup(user.token, pm, 3_000, key);
    assert.equal(again.json().status, 'succeeded');
    assert.equal((await t.balance(user.token, user.walletId)).balance, 3_000);
  });

  it('refused at the bank: the top-up fails with authentication_failed', async () => {
    const user = await t.signUp();
    const key = randomUUID();
    const { pm, url } = await challenged(user, key, 1_500);
    await fetch(`${url}/decline`, { method: 'POST' });
    const retry = await topup(user.token, pm, 1_500, key);
    assert.equal(retry.json().status, 'failed');
    assert.equal(retry.json().failure_code, 'authentication_failed');
    assert.equal((await t.balance(user.token, user.walletId)).balance, 0);
  });

  it('never confirmed: the worker cancels the authorization and fails the top-up', async () => {
    const impatient = await startTestSystem({
      processor: true,
      env: { PROCESSOR_AUTHENTICATION_TIMEOUT_SECONDS: '0' },
    });
    try {
      const user = await impatient.signUp();
      const pm = await impatient.addCard(user.token, '4000000000003220');
      const res = await impatient.request('POST', '/v1/topups', {
        token: user.token,
        key: randomUUID(),
        body: { payment_method: pm, amount: 800, currency: 'USD' },
      });
      assert.equal(res.json().status, 'requires_action');
      await impatient.system.startWorker(3_600_000).runOnce();
      const after = await impatient.request('GET', `/v1/topups/${res.json().id}`, {
        token: user.token,
      });
      assert.equal(after.json().status, 'failed');
      assert.equal(after.json().failure_code, 'authentication_timeout');
      const charges = [...(impatient.sim?.store.charges.values() ?? [])];
      assert.deepEqual(
        charges.map((c) => c.status),
        ['canceled'],
      );
    } finally {
      await impatient.close();
    }
  });
});

describe('processor callbacks', () => {
  it('a signed callback finishes the flow; forged, stale and repeated ones change nothing', async () => {
    const hooked = await startTestSystem({ processor: { callbacks: true } });
    try {
      const user = await hooked.signUp();
      const pm = await hooked.addCard(user.token, '4000000000003220');
      const res = await hooked.request('POST', '/v1/topups', {
        token: user.token,
        key: randomUUID(),
        body: { payment_method: pm, amount: 900, currency: 'USD' },
      });
      const url = res.json().next_action.url as string;
      await fetch(`${url}/approve`, { method: 'POST' });
      // No retry from the client: the processor's callback alone finishes it.
      // The callback goes out after the sim's delay and is retried with backoff: on a loaded
      // machine that can take seconds, so wait for the outcome (up to 20 s), not a fixed count.
      let status = '';
      const deadline = performance.now() + 20_000;
      while (status !== 'succeeded' && performance.now() < deadline) {
        await sleep(30);
        const got = await hooked.request('GET', `/v1/topups/${res.json().id}`, {
          token: user.token,
        });
        status = got.json().status as string;
      }
      assert.equal(status, 'succeeded');
      assert.equal((await hooked.balance(user.token, user.walletId)).balance, 900);

      const charge = [...(hooked.sim?.store.charges.values() ?? [])][0];
      const body = JSON.stringify({
        id: 'evt_x',
        type: 'charge.succeeded',
        data: { object: charge },
      });
      const sign = (t: number, text: string) =>
        `t=${t},v1=${createHmac('sha256', hooked.processorCallbackSecret).update(`${t}.${text}`).digest('hex')}`;
      const now = Math.floor(Date.now() / 1000);
      const send = (signature: string) =>
        hooked.request('POST', '/v1/processor/callbacks', {
          body: JSON.parse(body) as object,
          headers: { 'processor-signature': signature },
        });
      assert.equal((await send(sign(now, body))).json().result, 'already_finished');
      assert.equal(
        (await send(sign(now, `${body} `))).statusCode,
        401,
        'signature over another body',
      );
      assert.equal((await send(sign(now - 3_600, body))).statusCode, 401, 'stale timestamp');
      assert.equal((await send('t=1,v1=00')).statusCode, 401);
      const withApiKey = `t=${now},v1=${createHmac('sha256', hooked.processorApiKey).update(`${now}.${body}`).digest('hex')}`;
      assert.equal((await send(withApiKey)).statusCode, 401, 'the API key signs nothing');
      assert.equal((await hooked.balance(user.token, user.walletId)).balance, 900);
    } finally {
      await hooked.close();
    }
  });
});

describe('payouts', () => {
  it('holds the money, then pays out; a failing bank account releases the hold', async () => {
    const user = await t.signUp();
    await t.fund(user.walletId, 10_000);
    const paid = await payout(user.token, 4_000);
    assert.equal(paid.statusCode, 201, paid.body);
    assert.match(paid.json().id, /^po_/);
    assert.equal(paid.json().status, 'succeeded');
    assert.equal(paid.json().bank_account.last4, '6789');
    assert.deepEqual(await t.balance(user.token, user.walletId), {
      ...(await t.balance(user.token, user.walletId)),
      balance: 6_000,
      available: 6_000,
    });
    const failed = await payout(user.token, 1_000, { ...bank, account_number: '000111111116' });
    assert.equal(failed.json().status, 'failed');
    assert.equal(failed.json().failure_code, 'no_account');
    const wallet = await t.balance(user.token, user.walletId);
    assert.equal(wallet.balance, 6_000);
    assert.equal(wallet.available, 6_000);
    const stored = await t.system.db.query<{ bank_account_sealed: Buffer }>(
      'select bank_account_sealed from processor_flows where bank_account_sealed is not null',
    );
    assert.ok(
      stored.every((row) => !row.bank_account_sealed.toString('latin1').includes('000123456789')),
    );
  });

  it('more than the available balance: 402, nothing held or stored', async () => {
    const user = await t.signUp();
    await t.fund(user.walletId, 500);
    const res = await payout(user.token, 501);
    assert.equal(res.statusCode, 402, res.body);
    assert.equal(res.json().error.code, 'insufficient_funds');
    assert.equal(res.json().error.money_moved, false);
    const wallet = await t.balance(user.token, user.walletId);
    assert.equal(wallet.available, 500);
  });

  it('an unknown payout keeps its hold until the worker learns the bank paid it', async () => {
    const user = await t.signUp();
    await t.fund(user.walletId, 1_000);
    await faults({ lost_reply_rate: 1 });
    const res = await payout(user.token, 600);
    assert.equal(res.json().status, 'outcome_unknown');
    const held = await t.balance(user.token, user.walletId);
    assert.equal(held.balance, 1_000);
    assert.equal(held.available, 400);
    await faults(null);
    await sleep(350);
    await t.system.startWorker(3_600_000).runOnce();
    const wallet = await t.balance(user.token, user.walletId);
    assert.equal(wallet.balance, 400);
    assert.equal(wallet.available, 400);
  });
});

describe('processor callbacks are hints: Kassa asks the processor, whatever they say', () => {
  /** A callback signed with the real callback secret: what someone holding that key can send. */
  async function callback(type: string, object: Record<string, unknown>) {
    const body = { id: `evt_${randomUUID()}`, type, data: { object } };
    const at = Math.floor(Date.now() / 1000);
    const mac = createHmac('sha256', t.processorCallbackSecret)
      .update(`${at}.${JSON.stringify(body)}`)
      .digest('hex');
    const res = await t.request('POST', '/v1/processor/callbacks', {
      body,
      headers: { 'processor-signature': `t=${at},v1=${mac}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ received: boolean; result: string }>().result;
  }

  function processorObject(kind: 'charges' | 'payouts', key: string) {
    const found = [...(t.sim?.store[kind].values() ?? [])].find((o) => o.idempotency_key === key);
    assert.ok(found !== undefined, `the processor has ${key}`);
    return found as unknown as Record<string, unknown>;
  }

  it('a signed "succeeded" for a 3-D Secure charge nobody confirmed credits nothing', async () => {
    const user = await t.signUp();
    const pm = await t.addCard(user.token, '4000000000003220');
    const res = await topup(user.token, pm, 1_200);
    assert.equal(res.json().status, 'requires_action');
    const charge = processorObject('charges', `kassa_topup_${decodeId('top', res.json().id)}`);
    const forged = { ...charge, status: 'succeeded', amount_captured: 1_200, next_action: null };
    assert.equal(await callback('charge.succeeded', forged), 'unresolved');
    const after = await t.request('GET', `/v1/topups/${res.json().id}`, { token: user.token });
    assert.equal(after.json().status, 'requires_action');
    assert.equal((await t.balance(user.token, user.walletId)).balance, 0);
    // Confirmed at the bank: now any hint about it, even a stale object, finishes it.
    await fetch(`${res.json().next_action.url as string}/approve`, { method: 'POST' });
    assert.equal(await callback('charge.requires_action', charge), 'finished');
    assert.equal((await t.balance(user.token, user.walletId)).balance, 1_200);
  });

  it('a signed "failed" for a payout the bank paid never reverses it', async () => {
    const user = await t.signUp();
    await t.fund(user.walletId, 1_000);
    await faults({ lost_reply_rate: 1 });
    const res = await payout(user.token, 600);
    assert.equal(res.json().status, 'outcome_unknown');
    await faults(null);
    await sleep(350); // the breaker may have opened on the lost replies
    const paid = processorObject('payouts', `kassa_payout_${decodeId('po', res.json().id)}`);
    assert.equal(paid['status'], 'paid');
    const forged = { ...paid, status: 'failed', failure_code: 'no_account' };
    // Kassa asks the processor, which says paid: the hold is posted, not voided.
    assert.equal(await callback('payout.failed', forged), 'finished');
    const after = await t.request('GET', `/v1/payouts/${res.json().id}`, { token: user.token });
    assert.equal(after.json().status, 'succeeded');
    const wallet = await t.balance(user.token, user.walletId);
    assert.deepEqual([wallet.balance, wallet.available], [400, 400]);
    // A finished flow never changes.
    assert.equal(await callback('payout.failed', forged), 'already_finished');
    assert.equal((await t.balance(user.token, user.walletId)).balance, 400);
  });

  it('about an unknown flow, or while the processor cannot be reached: 200, nothing changes', async () => {
    const stranger = {
      id: 'ch_0',
      object: 'charge',
      status: 'succeeded',
      amount: 100,
      currency: 'USD',
      decline_code: null,
      idempotency_key: `kassa_topup_${randomUUID()}`,
    };
    assert.equal(await callback('charge.succeeded', stranger), 'ignored');
    assert.equal(
      await callback('charge.succeeded', { ...stranger, idempotency_key: 7 }),
      'ignored',
    );

    const user = await t.signUp();
    await t.fund(user.walletId, 1_000);
    await faults({ lost_reply_rate: 1 });
    const res = await payout(user.token, 300);
    assert.equal(res.json().status, 'outcome_unknown');
    const paid = processorObject('payouts', `kassa_payout_${decodeId('po', res.json().id)}`);
    await faults({ error_rate: 1 });
    assert.equal(await callback('payout.paid', paid), 'unresolved');
    const held = await t.request('GET', `/v1/payouts/${res.json().id}`, { token: user.token });
    assert.equal(held.json().status, 'outcome_unknown');
    const wallet = await t.balance(user.token, user.walletId);
    assert.deepEqual([wallet.balance, wallet.available], [1_000, 700]);
    // The worker resolves it once the processor answers again.
    await faults(null);
    await sleep(350);
    await t.system.startWorker(3_600_000).runOnce();
    assert.equal((await t.balance(user.token, user.walletId)).balance, 700);
  });
});

describe('a top-up the wallet cannot hold (2^53 − 1 at most)', () => {
  it('is refunded at the processor: charged then refunded, wallet unchanged, ledger balanced', async () => {
    let skewMs = 0;
    const full = await startTestSystem({
      processor: true,
      clock: { now: () => new Date(Date.now() + skewMs) },
    });
    try {
      const user = await full.signUp();
      const nearMax = Number.MAX_SAFE_INTEGER - 500;
      await full.fund(user.walletId, nearMax);
      const pm = await full.addCard(user.token, visa);
      const key = randomUUID();
      const send = (amount: number) =>
        full.request('POST', '/v1/topups', {
          token: user.token,
          key,
          body: { payment_method: pm, amount, currency: 'USD' },
        });
      const res = await send(1_000);
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(
        [res.json().status, res.json().failure_code],
        ['failed', 'amount_too_large'],
      );
      const replay = await send(1_000);
      assert.equal(replay.headers['idempotent-replayed'], 'true');
      assert.equal(replay.json().status, 'failed');
      const wallet = await full.balance(user.token, user.walletId);
      assert.deepEqual([wallet.balance, wallet.available], [nearMax, nearMax]);
      const entries = (id: string) =>
        (full.sim?.store.settlement ?? [])
          .filter((e) => e.idempotency_key.startsWith(`kassa_topup_${id}`))
          .map((e) => [e.type, e.idempotency_key, e.amount]);
      const first = decodeId('top', res.json().id) ?? '';
      assert.deepEqual(entries(first), [
        ['capture', `kassa_topup_${first}`, 1_000],
        ['refund', `kassa_topup_${first}_refund`, 1_000],
      ]);

      // The charge's reply and then the refund's are lost: the refund's outcome is unknown, and
      // the worker retries it with the same key until the processor's answer is definite.
      const simUrl = `http://127.0.0.1:${(full.sim?.app.server.address() as { port: number }).port}`;
      const setFaults = (body: object | null) =>
        fetch(`${simUrl}/admin/faults`, {
          method: body === null ? 'DELETE' : 'POST',
          ...(body === null
            ? {}
            : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        });
      await setFaults({ lost_reply_rate: 1 });
      const lost = await full.request('POST', '/v1/topups', {
        token: user.token,
        key: randomUUID(),
        body: { payment_method: pm, amount: 2_000, currency: 'USD' },
      });
      assert.equal(lost.json().status, 'outcome_unknown');
      await full.system.rails.resolveDue();
      const pending = await full.request('GET', `/v1/topups/${lost.json().id}`, {
        token: user.token,
      });
      assert.equal(pending.json().status, 'processing', 'refund owed, outcome not yet known');
      await setFaults(null);
      skewMs = 120_000; // past the worker's backoff
      const ran = await full.system.rails.resolveDue();
      assert.equal(ran.resolved, 1);
      const done = await full.request('GET', `/v1/topups/${lost.json().id}`, {
        token: user.token,
      });
      assert.deepEqual(
        [done.json().status, done.json().failure_code],
        ['failed', 'amount_too_large'],
      );
      const second = decodeId('top', lost.json().id) ?? '';
      assert.deepEqual(entries(second), [
        ['capture', `kassa_topup_${second}`, 2_000],
        ['refund', `kassa_topup_${second}_refund`, 2_000],
      ]);
      assert.equal((await full.balance(user.token, user.walletId)).balance, nearMax);
      const ledger = await full.system.ledger.verify();
      assert.equal(ledger.balanced, true);
      assert.deepEqual(ledger.mismatches, []);
      const processor = full.system.processor;
      assert.ok(processor !== null);
      const report = await reconcile({ db: full.system.db, processor, clock: full.system.clock });
      assert.deepEqual(report.mismatches, [], 'a refunded capture is no mismatch');
    } finally {
      await full.close();
    }
  });
});

describe('circuit breaker and reconciliation', () => {
  it('opens under sustained failure (503, nothing charged, readyz degraded) and closes after recovery', async () => {
    const user = await t.signUp();
    const pm = await t.addCard(user.token, visa);
    await faults({ error_rate: 1 });
    let refused: Awaited<ReturnType<typeof topup>> | undefined;
    for (let i = 0; i < 20 && refused === undefined; i += 1) {
      const res = await topup(user.token, pm, 100);
      if (res.statusCode === 503) refused = res;
      else assert.equal(res.json().status, 'outcome_unknown');
    }
    assert.ok(refused !== undefined, 'the breaker opened');
    assert.equal(refused.json().error.code, 'processor_unavailable');
    assert.equal(refused.json().error.money_moved, false);
    assert.equal(refused.json().error.next_action, 'retry_later');
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    const ready = await t.request('GET', '/readyz');
    assert.equal(ready.statusCode, 200, 'wallets and P2P still work');
    assert.deepEqual(ready.json().degraded, ['processor']);
    assert.match(
      (await t.request('GET', '/metrics', { token: t.operatorKey })).body,
      /kassa_processor_circuit_state 2/,
    );
    await faults(null);
    await sleep(350);
    const recovered = await topup(user.token, pm, 100);
    assert.equal(recovered.statusCode, 201, recovered.body);
    assert.equal(t.system.breaker.state(), 'closed');
    // The unknown ones resolve: the processor never saw them (every call errored).
    await t.system.startWorker(3_600_000).runOnce();
    const open = await t.system.db.query(
      "select 1 from processor_flows where recovery_point = 'started'",
    );
    assert.equal(open.length, 0);
  });

  it('reconcile agrees with the processor, and names a capture the ledger does not have', async () => {
    const processor = t.system.processor;
    assert.ok(processor !== null);
    const clean = await reconcile({ db: t.system.db, processor, clock: t.system.clock });
    assert.deepEqual(clean.mismatches, []);
    assert.ok(clean.matched > 0);
    const stray = `kassa_topup_${randomUUID()}`;
    const res = await fetch(`${simUrl()}/v1/charges`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${t.processorApiKey}`,
        'idempotency-key': stray,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        amount: 999,
        currency: 'USD',
        card: { number: visa, exp_month: 12, exp_year: 2031 },
      }),
    });
    assert.equal(res.status, 200);
    const dirty = await reconcile({ db: t.system.db, processor, clock: t.system.clock });
    assert.deepEqual(dirty.mismatches, [
      {
        kind: 'missing_in_ledger',
        processor_key: stray,
        ledger: null,
        processor: { amount: '999', currency: 'USD' },
      },
    ]);
    // The operator's command sees the same and exits 1.
    // Asynchronously: the stand-in answering the command runs in this process.
    const cli = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', 'apps/server/src/main/cli.ts', 'reconcile'],
      {
        cwd: join(import.meta.dirname, '..', '..', '..'),
        encoding: 'utf8',
        env: {
          ...process.env,
          DATABASE_URL: t.databaseUrl,
          KASSA_TOKEN_SECRET: t.tokenSecret,
          KASSA_OPERATOR_KEY: t.operatorKey,
          KASSA_DATA_DIR: `/tmp/kassa-cli-${randomUUID()}`,
          PROCESSOR_URL: simUrl(),
          PROCESSOR_API_KEY: t.processorApiKey,
          PROCESSOR_CALLBACK_SECRET: t.processorCallbackSecret,
        },
      },
    );
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stdout, /RECONCILIATION: 1 mismatch\(es\)/);
    assert.match(cli.stdout, new RegExp(stray));
  });
});
