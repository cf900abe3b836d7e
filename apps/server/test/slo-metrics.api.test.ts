/**
 * The metrics the event SLOs read (issue 17 §2, docs/observability.md): how long a top-up stayed
 * outcome_unknown, how old the oldest unresolved one is, and how long an event waited for its
 * first webhook attempt. ops/prometheus/event-slo.rules.yml alerts on them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from './support/test-system.ts';
import { startWebhookReceiver } from './support/webhook-receiver.ts';
import { runWorkerUntil } from './support/worker-until.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem({
    processor: true,
    env: { PROCESSOR_BREAKER_COOLDOWN_MS: '300', PROCESSOR_RETRIES: '1' },
  });
});
after(() => t.close());

/** One sample of the API's /metrics (NaN when absent). */
async function sample(pattern: RegExp): Promise<number> {
  const res = await t.request('GET', '/metrics', { token: t.operatorKey });
  assert.equal(res.statusCode, 200);
  return Number(pattern.exec(res.body)?.[1] ?? Number.NaN);
}

async function faults(body: object | null): Promise<void> {
  const address = t.sim?.app.server.address();
  assert.ok(typeof address === 'object' && address !== null);
  const res = await fetch(`http://127.0.0.1:${address.port}/admin/faults`, {
    method: body === null ? 'DELETE' : 'POST',
    ...(body === null
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  assert.equal(res.status, 200, await res.text());
}

describe('metrics of the event SLOs', () => {
  it('an outcome_unknown top-up ages, and its resolution time is observed once', async () => {
    const oldestAge = /^kassa_processor_outcome_unknown_oldest_age_seconds (\S+)$/m;
    const resolutions =
      /^kassa_processor_outcome_unknown_resolution_seconds_count\{kind="topup"\} (\S+)$/m;
    const user = await t.signUp();
    const card = await t.addCard(user.token, '4242424242424242');
    const key = randomUUID();
    const topUp = () =>
      t.request('POST', '/v1/topups', {
        token: user.token,
        key,
        body: { payment_method: card, amount: 2_500, currency: 'USD' },
      });
    assert.equal(await sample(oldestAge), 0, 'nothing is unknown yet');
    await faults({ lost_reply_rate: 1 });
    const unknown = await topUp();
    assert.equal(unknown.json().status, 'outcome_unknown', unknown.body);
    await sleep(50);
    assert.ok((await sample(oldestAge)) > 0, 'the unknown top-up ages');
    assert.ok(Number.isNaN(await sample(resolutions)), 'not resolved yet');
    await faults(null);
    await sleep(350); // the breaker may have opened on the lost replies
    const retried = await topUp();
    assert.equal(retried.json().status, 'succeeded', retried.body);
    assert.equal(await sample(resolutions), 1);
    assert.equal(await sample(oldestAge), 0);
    // A replay of the finished top-up resolves nothing again.
    assert.equal((await topUp()).json().status, 'succeeded');
    assert.equal(await sample(resolutions), 1);
  });

  it('the delay to the first webhook attempt is observed once per delivery', async () => {
    const firstAttempts = /^kassa_webhook_first_attempt_delay_seconds_count (\S+)$/m;
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await t.createMerchant();
      const payer = await t.signUp();
      await t.fund(payer.walletId, 10_000);
      const endpoint = await t.request('POST', '/v1/webhook_endpoints', {
        token: merchant.secretKey,
        body: { url: receiver.url, events: ['payment.succeeded'] },
      });
      assert.equal(endpoint.statusCode, 201, endpoint.body);
      receiver.expectSecrets([endpoint.json().secret as string]);
      assert.equal(await sample(firstAttempts), 0);
      const paid = await t.request('POST', '/v1/payments', {
        token: payer.token,
        key: randomUUID(),
        body: { merchant: merchant.id, amount: 500, currency: 'USD' },
      });
      assert.equal(paid.statusCode, 201, paid.body);
      await runWorkerUntil(t.system, async () => receiver.processed.size === 1, 'delivered');
      assert.equal(await sample(firstAttempts), 1);
      const seconds = await sample(/^kassa_webhook_first_attempt_delay_seconds_sum (\S+)$/m);
      assert.ok(seconds >= 0 && seconds < 60, `${seconds} s`);
    } finally {
      await receiver.close();
    }
  });
});
