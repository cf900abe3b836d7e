import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createProcessorSim, type ProcessorSim } from '../src/index.ts';
import { readSimConfig } from '../src/sim-config.ts';

const secret = 'sim-test-secret-0123456789';
const callbackSecret = 'sim-test-callback-secret-9876543210';
let sim: ProcessorSim;
let url: string;
before(async () => {
  sim = createProcessorSim({ apiKey: secret, callbackSecret });
  url = await sim.listen(0);
});
after(() => sim.close());
beforeEach(async () => {
  await fetch(`${url}/admin/faults`, { method: 'DELETE' });
});

const card = { number: '4242424242424242', exp_month: 12, exp_year: 2031 };

async function call(path: string, body: unknown, key: string | null = randomUUID(), auth = secret) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${auth}`,
      'content-type': 'application/json',
      ...(key === null ? {} : { 'idempotency-key': key }),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(2_000),
  });
}

describe('processor stand-in', () => {
  it('charges once per key: the same key replays, another body under it is refused', async () => {
    const key = randomUUID();
    const first = await call('/v1/charges', { amount: 1_000, currency: 'USD', card }, key);
    const charge = (await first.json()) as { id: string; status: string; card: { last4: string } };
    assert.equal(charge.status, 'succeeded');
    assert.equal(charge.card.last4, '4242');
    const again = await call('/v1/charges', { amount: 1_000, currency: 'USD', card }, key);
    assert.equal(((await again.json()) as { id: string }).id, charge.id);
    const other = await call('/v1/charges', { amount: 2_000, currency: 'USD', card }, key);
    assert.equal(other.status, 422);
    const settled = sim.store.settlement.filter((e) => e.idempotency_key === key);
    assert.equal(settled.length, 1);
    const lookup = await fetch(`${url}/v1/operations/${key}`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    assert.equal(((await lookup.json()) as { id: string }).id, charge.id);
    assert.ok(
      [...sim.store.charges.values()].every((c) => !JSON.stringify(c).includes(card.number)),
      'the card number is not stored',
    );
  });

  it('test cards decline, ask for authentication or error; payouts fail for test accounts', async () => {
    for (const [number, status, code] of [
      ['4000000000000002', 'declined', 'card_declined'],
      ['4000000000009995', 'declined', 'insufficient_funds'],
      ['4000000000003220', 'requires_action', null],
      ['4000000000000119', 'declined', 'processing_error'],
    ]) {
      const res = await call('/v1/charges', {
        amount: 500,
        currency: 'EUR',
        card: { ...card, number },
      });
      const body = (await res.json()) as { status: string; decline_code: string };
      assert.deepEqual([body.status, body.decline_code], [status, code]);
    }
    const bank = { country: 'US', routing_number: '110000000' };
    const paid = await call('/v1/payouts', {
      amount: 100,
      currency: 'USD',
      bank_account: { ...bank, account_number: '000123456789' },
    });
    assert.equal(((await paid.json()) as { status: string }).status, 'paid');
    const failed = await call('/v1/payouts', {
      amount: 100,
      currency: 'USD',
      bank_account: { ...bank, account_number: '000111111116' },
    });
    assert.equal(((await failed.json()) as { failure_code: string }).failure_code, 'no_account');
  });

  it('refuses calls without the key, without an idempotency key, and bad bodies', async () => {
    assert.equal(
      (await call('/v1/charges', { amount: 1, currency: 'USD', card }, randomUUID(), 'wrong'))
        .status,
      401,
    );
    assert.equal(
      (await call('/v1/charges', { amount: 1, currency: 'USD', card }, null)).status,
      400,
    );
    assert.equal((await call('/v1/charges', { amount: 0, currency: 'USD', card })).status, 400);
    const faults = await fetch(`${url}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error_rate: 2 }),
    });
    assert.equal(faults.status, 400);
  });

  it('takes only the API key, and signs its callbacks with the callback secret', async () => {
    const received: { signature: string; body: string }[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ signature: String(request.headers['processor-signature']), body });
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    sim.setCallbackUrl(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`);
    try {
      const charge = { amount: 100, currency: 'USD', card };
      assert.equal((await call('/v1/charges', charge, randomUUID(), callbackSecret)).status, 401);
      assert.equal((await call('/v1/charges', charge)).status, 200);
      for (let i = 0; i < 100 && received.length === 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 10));
      const [callback] = received;
      assert.ok(callback !== undefined, 'a callback arrived');
      const [t, v1] = callback.signature.split(',').map((part) => part.split('=')[1]);
      const mac = (key: string) =>
        createHmac('sha256', key).update(`${t}.${callback.body}`).digest('hex');
      assert.equal(v1, mac(callbackSecret));
      assert.notEqual(v1, mac(secret));
    } finally {
      sim.setCallbackUrl(undefined);
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('a lost reply happened; an error or a timeout did not', async () => {
    const setFaults = (body: unknown) =>
      fetch(`${url}/admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const before = sim.store.settlement.length;
    await setFaults({ lost_reply_rate: 1 });
    const lost = randomUUID();
    await assert.rejects(call('/v1/charges', { amount: 10, currency: 'USD', card }, lost));
    await setFaults({ error_rate: 1 });
    const errored = await call('/v1/charges', { amount: 10, currency: 'USD', card });
    assert.equal(errored.status, 500);
    await setFaults({ timeout_rate: 1 });
    await assert.rejects(
      fetch(`${url}/v1/charges`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${secret}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ amount: 10, currency: 'USD', card }),
        signal: AbortSignal.timeout(200),
      }),
    );
    assert.equal(sim.store.settlement.length, before + 1, 'only the lost reply moved money');
    assert.ok(sim.store.operations.has(lost));
    assert.equal(sim.stats.lost_replies_injected, 1);
  });
});

describe('the stand-in’s settings (npm run processor)', () => {
  const apiKey = 'k'.repeat(24);
  const callback = 'c'.repeat(24);

  it('takes the API key and the callback secret as two settings', () => {
    const config = readSimConfig({
      PROCESSOR_API_KEY: apiKey,
      PROCESSOR_CALLBACK_SECRET: callback,
    });
    assert.deepEqual([config.apiKey, config.callbackSecret], [apiKey, callback]);
  });

  for (const [env, message] of [
    [{ PROCESSOR_SECRET: apiKey }, /PROCESSOR_API_KEY.*PROCESSOR_CALLBACK_SECRET/],
    [{ PROCESSOR_API_KEY: apiKey }, /PROCESSOR_CALLBACK_SECRET must be set/],
    [{ PROCESSOR_API_KEY: apiKey, PROCESSOR_CALLBACK_SECRET: apiKey }, /must differ/],
  ] as const) {
    it(`refuses ${Object.keys(env).join(' + ')}`, () => {
      assert.throws(() => readSimConfig(env), message);
    });
  }
});
