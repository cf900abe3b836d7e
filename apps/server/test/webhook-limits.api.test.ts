import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/config.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';
import { runWorkerUntil } from './support/worker-until.ts';

const logLines: string[] = [];
let t: TestSystem;
before(async () => {
  // Production defaults: no loopback receivers.
  t = await startTestSystem({
    env: { WEBHOOK_ALLOW_LOOPBACK: 'false', WEBHOOK_ENDPOINTS_MAX: '5' },
    logLines,
  });
});
after(() => t.close());

describe('webhooks cannot be aimed inward or multiplied (issue 11, medium 8)', () => {
  it('loopback receivers are off by default; only npm start (local development) turns them on', () => {
    assert.equal(loadConfig({}).webhooks.allowLoopback, false);
    assert.equal(loadConfig({}, { quickStart: true }).webhooks.allowLoopback, true);
    assert.equal(
      loadConfig({ WEBHOOK_ALLOW_LOOPBACK: 'false' }, { quickStart: true }).webhooks.allowLoopback,
      false,
    );
  });

  it('a loopback URL is refused at creation; a name that resolves inward fails like any connection', async () => {
    const merchant = await t.createMerchant();
    const refused = await t.request('POST', '/v1/webhook_endpoints', {
      token: merchant.secretKey,
      body: { url: 'http://127.0.0.1:5432/', events: ['*'] },
    });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.equal(refused.json().error.code, 'invalid_webhook_url');
    const name = hostname();
    const resolved = await lookup(name);
    assert.match(resolved.address, /^127\./, `this test needs ${name} to resolve to loopback`);
    const endpoint = await t.request('POST', '/v1/webhook_endpoints', {
      token: merchant.secretKey,
      body: { url: `https://${name}:5432/hooks`, events: ['*'] },
    });
    assert.equal(endpoint.statusCode, 201, endpoint.body);
    const payer = await t.signUp();
    await t.fund(payer.walletId, 1_000);
    await t.request('POST', '/v1/payments', {
      token: payer.token,
      key: randomUUID(),
      body: { merchant: merchant.id, amount: 100, currency: 'USD' },
    });
    let deliveries: { last_error: string | null; last_status: number | null }[] = [];
    await runWorkerUntil(
      t.system,
      async () => {
        deliveries = (
          await t.request('GET', `/v1/webhook_endpoints/${endpoint.json().id}/deliveries`, {
            token: merchant.secretKey,
          })
        ).json().data;
        return deliveries.length > 0 && deliveries.every((d) => d.last_error !== null);
      },
      'a delivery was attempted',
    );
    for (const delivery of deliveries) {
      assert.equal(
        delivery.last_error,
        'connection failed',
        'no hint that the address is internal',
      );
      assert.equal(delivery.last_status, null);
    }
    assert.ok(
      logLines.some((line) => /may not reach/.test(line)),
      'the operator sees the real reason in the logs',
    );
  });

  it('a merchant may have a bounded number of endpoints, even when it creates them all at once', async () => {
    const merchant = await t.createMerchant();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.request('POST', '/v1/webhook_endpoints', {
          token: merchant.secretKey,
          body: { url: `https://hooks.example/${i}`, events: ['*'] },
        }),
      ),
    );
    const created = answers.filter((a) => a.statusCode === 201).length;
    assert.equal(created, 5, answers.map((a) => a.statusCode).join(','));
    const refused = answers.find((a) => a.statusCode !== 201);
    assert.equal(refused?.statusCode, 409);
    assert.equal(refused?.json().error.code, 'webhook_endpoint_limit');
    const list = await t.request('GET', '/v1/webhook_endpoints', { token: merchant.secretKey });
    assert.equal(list.json().data.length, 5);
  });
});
