import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { outboxLag } from '../src/modules/events/index.ts';
import { decodeId } from '../src/kernel/ids.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';
import { startWebhookReceiver } from './support/webhook-receiver.ts';

let t: TestSystem;
before(async () => {
  // Retries compressed: the 4-day schedule becomes a few seconds; 120 h of failing, ~0.4 s.
  t = await startTestSystem({
    env: { WEBHOOK_RETRY_SCALE: '0.000001', WEBHOOK_TIMEOUT_MS: '300' },
  });
});
after(() => t.close());

async function merchantWithCustomer() {
  const merchant = await t.createMerchant();
  const payer = await t.signUp();
  await t.fund(payer.walletId, 1_000_000);
  return { merchant, payer };
}

async function pay(
  payer: { token: string },
  merchantId: string,
  amount: number,
  capture = 'automatic',
) {
  const res = await t.request('POST', '/v1/payments', {
    token: payer.token,
    key: randomUUID(),
    body: { merchant: merchantId, amount, currency: 'USD', capture },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<{ id: string }>();
}

async function subscribe(secretKey: string, url: string, events = ['*']) {
  const res = await t.request('POST', '/v1/webhook_endpoints', {
    token: secretKey,
    body: { url, events },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<{ id: string; secret: string }>();
}

/**
 * Runs the worker until every committed event is relayed and no delivery is pending. The relay
 * reads only below the cluster's oldest running transaction, which other test files' work can
 * hold back for a moment, so this waits for the outbox lag to reach 0 rather than for a quiet pass.
 */
async function drain(timeoutMs = 15_000) {
  const worker = t.system.startWorker(3_600_000);
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      await worker.runOnce();
      const lag = await outboxLag(t.system.db.pool, ['webhooks']);
      const pending = await t.system.db.query(
        "select 1 from webhook_deliveries where status = 'pending' limit 1",
      );
      if (lag.get('webhooks') === 0 && pending.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the outbox did not drain');
  } finally {
    await worker.stop();
  }
}

describe('webhook endpoints', () => {
  it('create (secret once), list, delete; https only except loopback; known event types only', async () => {
    const { merchant } = await merchantWithCustomer();
    const created = await subscribe(merchant.secretKey, 'http://127.0.0.1:9/hooks', [
      'payment.succeeded',
    ]);
    assert.match(created.id, /^we_/);
    assert.match(created.secret, /^whsec_[A-Za-z0-9+/=]{32}$/);
    for (const [body, code] of [
      [{ url: 'http://example.com/hooks', events: ['*'] }, 'invalid_webhook_url'],
      [{ url: 'ftp://127.0.0.1/x', events: ['*'] }, 'invalid_webhook_url'],
      [{ url: 'https://user:pw@example.com/x', events: ['*'] }, 'invalid_webhook_url'],
      [{ url: 'https://example.com/x', events: ['payment.exploded'] }, 'unknown_event_type'],
      [{ url: 'https://example.com/x', events: [] }, 'invalid_request'],
      [{ url: 'https://example.com/x', events: ['*'], secret: 'mine' }, 'unknown_field'],
    ] as const) {
      const res = await t.request('POST', '/v1/webhook_endpoints', {
        token: merchant.secretKey,
        body,
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, code, JSON.stringify(body));
    }
    const https = await subscribe(merchant.secretKey, 'https://hooks.example.com/kassa');
    const list = await t.request('GET', '/v1/webhook_endpoints', { token: merchant.secretKey });
    assert.deepEqual(
      list.json().data.map((e: { id: string; secret?: string }) => [e.id, e.secret]),
      [
        [created.id, undefined],
        [https.id, undefined],
      ],
    );
    const other = await t.createMerchant();
    const foreign = await t.request('DELETE', `/v1/webhook_endpoints/${created.id}`, {
      token: other.secretKey,
    });
    assert.equal(foreign.statusCode, 404);
    const user = await t.signUp();
    const asUser = await t.request('GET', '/v1/webhook_endpoints', { token: user.token });
    assert.equal(asUser.statusCode, 403);
    const gone = await t.request('DELETE', `/v1/webhook_endpoints/${created.id}`, {
      token: merchant.secretKey,
    });
    assert.equal(gone.json().deleted, true);
    const after = await t.request('GET', '/v1/webhook_endpoints', { token: merchant.secretKey });
    assert.equal(after.json().data.length, 1);
  });
});

describe('events and deliveries', () => {
  it('a payment reaches the merchant’s endpoint signed (verified by standardwebhooks) and is listed in /v1/events', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const { merchant, payer } = await merchantWithCustomer();
      const endpoint = await subscribe(merchant.secretKey, receiver.url);
      receiver.expectSecrets([endpoint.secret]);
      const payment = await pay(payer, merchant.id, 2_500);
      await drain();
      assert.equal(receiver.stats.badSignatures, 0);
      const received = [...receiver.processed.values()];
      assert.deepEqual(
        received.map((e) => [e.type, e.data.object.id]),
        [['payment.succeeded', payment.id]],
      );
      const merchantEvents = await t.request('GET', '/v1/events', { token: merchant.secretKey });
      assert.equal(merchantEvents.json().data[0].id, received[0]?.id);
      const payerEvents = await t.request('GET', '/v1/events?type=payment.succeeded', {
        token: payer.token,
      });
      assert.equal(payerEvents.json().data[0].id, received[0]?.id);
      const stranger = await t.signUp();
      const peek = await t.request('GET', `/v1/events/${received[0]?.id ?? ''}`, {
        token: stranger.token,
      });
      assert.equal(peek.statusCode, 404);
      const own = await t.request('GET', `/v1/events/${received[0]?.id ?? ''}`, {
        token: payer.token,
      });
      assert.equal(own.json().data.object.status, 'succeeded');
    } finally {
      await receiver.close();
    }
  });

  it('a transfer tells the sender it succeeded and the recipient they received it', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 1_000);
    await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key: randomUUID(),
      body: { to: bob.email, amount: 400, currency: 'USD' },
    });
    const mine = await t.request('GET', '/v1/events', { token: alice.token });
    const theirs = await t.request('GET', '/v1/events', { token: bob.token });
    assert.deepEqual(
      mine.json().data.map((e: { type: string }) => e.type),
      ['transfer.succeeded'],
    );
    assert.deepEqual(
      theirs.json().data.map((e: { type: string }) => e.type),
      ['transfer.received'],
    );
  });

  it('during a secret rotation deliveries carry both signatures', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const { merchant, payer } = await merchantWithCustomer();
      const endpoint = await subscribe(merchant.secretKey, receiver.url, ['payment.succeeded']);
      const rotated = await t.request(
        'POST',
        `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`,
        {
          token: merchant.secretKey,
        },
      );
      const newSecret = rotated.json().secret as string;
      assert.notEqual(newSecret, endpoint.secret);
      receiver.expectSecrets([endpoint.secret, newSecret]);
      await pay(payer, merchant.id, 100);
      await drain();
      assert.equal(receiver.processed.size, 1);
      assert.equal(receiver.stats.badSignatures, 0);
      assert.equal(receiver.signatureHeaders[0]?.split(' ').length, 2);
    } finally {
      await receiver.close();
    }
  });

  it('events about one object arrive in order even when the first delivery fails', async () => {
    let calls = 0;
    const receiver = await startWebhookReceiver(() => (++calls <= 2 ? 'fail' : 'ok'));
    try {
      const { merchant, payer } = await merchantWithCustomer();
      const endpoint = await subscribe(merchant.secretKey, receiver.url);
      receiver.expectSecrets([endpoint.secret]);
      const held = await pay(payer, merchant.id, 900, 'manual');
      await t.request('POST', `/v1/payments/${held.id}/capture`, {
        token: merchant.secretKey,
        key: randomUUID(),
        body: {},
      });
      await drain();
      assert.deepEqual(
        receiver.order.map((e) => e.type),
        ['payment.requires_capture', 'payment.captured'],
      );
      assert.ok(receiver.stats.failedOnPurpose >= 2);
    } finally {
      await receiver.close();
    }
  });

  it('a receiver that keeps failing: retries, dead letters, the endpoint disabled; retry re-sends', async () => {
    let healthy = false;
    const receiver = await startWebhookReceiver(() => (healthy ? 'ok' : 'fail'));
    try {
      const { merchant, payer } = await merchantWithCustomer();
      const endpoint = await subscribe(merchant.secretKey, receiver.url);
      receiver.expectSecrets([endpoint.secret]);
      await pay(payer, merchant.id, 100);
      await pay(payer, merchant.id, 200);
      await drain();
      const dead = await t.request(
        'GET',
        `/v1/webhook_endpoints/${endpoint.id}/deliveries?status=dead`,
        {
          token: merchant.secretKey,
        },
      );
      assert.equal(dead.json().data.length, 2, dead.body);
      assert.ok(dead.json().data[0].attempts >= 2, 'retried before giving up');
      const listed = await t.request('GET', '/v1/webhook_endpoints', { token: merchant.secretKey });
      assert.equal(listed.json().data[0].status, 'disabled');
      await drain();
      const alerts = await t.request('GET', '/v1/notifications', { token: merchant.secretKey });
      const disabledAlert = alerts
        .json<{ data: { type: string; body: string }[] }>()
        .data.find((n) => n.type === 'webhook_endpoint_disabled');
      assert.ok(disabledAlert !== undefined, `the merchant is told: ${alerts.body}`);
      assert.ok(disabledAlert.body.includes(receiver.url));
      assert.match(
        (await t.request('GET', '/metrics', { token: t.operatorKey })).body,
        /kassa_webhook_backlog\{status="dead"\} [1-9]/,
      );
      healthy = true;
      const retried = await t.request('POST', `/v1/webhook_endpoints/${endpoint.id}/retry`, {
        token: merchant.secretKey,
      });
      assert.equal(retried.json().requeued, 2);
      assert.equal(retried.json().status, 'enabled');
      await drain();
      assert.equal(receiver.processed.size, 2);
    } finally {
      await receiver.close();
    }
  });
});

describe('webhooks never reach the internal network (SSRF)', () => {
  it('a private address is refused when the endpoint is made, and never connected to if one got stored', async () => {
    const { merchant, payer } = await merchantWithCustomer();
    const refused = await t.request('POST', '/v1/webhook_endpoints', {
      token: merchant.secretKey,
      body: { url: 'https://169.254.169.254/latest/meta-data', events: ['*'] },
    });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.equal(refused.json().error.param, 'url');
    // An endpoint stored before the rule (or by a bug) still cannot make the worker connect.
    const endpoint = await subscribe(merchant.secretKey, 'https://hooks.example/kassa');
    await t.system.db.query(
      "update webhook_endpoints set url = 'https://10.20.30.40:8443/hook' where id = $1",
      [decodeId('we', endpoint.id)],
    );
    await pay(payer, merchant.id, 100);
    const worker = t.system.startWorker(3_600_000);
    const started = performance.now();
    for (let i = 0; i < 50; i += 1) {
      await worker.runOnce();
      const attempted = await t.system.db.query<{ last_error: string | null }>(
        'select last_error from webhook_deliveries where endpoint_id = $1 and attempts > 0',
        [decodeId('we', endpoint.id)],
      );
      if (attempted.length > 0) {
        // Generic for the merchant: a refused address reads like any failed connection.
        assert.equal(attempted[0]?.last_error, 'connection failed');
        break;
      }
      assert.ok(i < 49, 'the delivery was attempted');
    }
    await worker.stop();
    assert.ok(
      performance.now() - started < 5_000,
      'refused at once, no connection attempt to time out',
    );
  });
});

describe('kassa listen --forward-to', () => {
  it('forwards the merchant’s new events to a local URL, signed with the session secret it prints', async () => {
    const receiver = await startWebhookReceiver();
    const cli = { child: undefined as ReturnType<typeof spawn> | undefined };
    try {
      const { merchant, payer } = await merchantWithCustomer();
      await pay(payer, merchant.id, 111); // before listening: not forwarded
      const apiUrl = await t.system.app.listen({ port: 0, host: '127.0.0.1' });
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'apps/server/src/main/cli.ts',
          'listen',
          '--forward-to',
          receiver.url,
          '--api-key',
          merchant.secretKey,
          '--api-url',
          apiUrl,
        ],
        { cwd: join(import.meta.dirname, '..', '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      cli.child = child;
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const secret = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const found = /signing secret (whsec_\S+)/.exec(out)?.[1];
          if (found !== undefined) {
            clearInterval(timer);
            resolve(found);
          }
        }, 20);
        child.once('exit', (code) => reject(new Error(`listen exited ${code}: ${out}`)));
      });
      receiver.expectSecrets([secret]);
      await new Promise((resolve) => setTimeout(resolve, 300)); // it has read where "now" is
      const payment = await pay(payer, merchant.id, 222);
      for (let i = 0; i < 100 && receiver.processed.size === 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(
        [...receiver.processed.values()].map((e) => [e.type, e.data.object.id]),
        [['payment.succeeded', payment.id]],
      );
      assert.equal(receiver.stats.badSignatures, 0);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      assert.equal(await exited, 0);
      assert.match(out, /--> payment\.succeeded evt_\S+ \[200\]/);
    } finally {
      cli.child?.kill('SIGKILL');
      await receiver.close();
    }
  });
});

describe('a delivery that fails inside Kassa', () => {
  it('is postponed with its reason and leaves the endpoint alone; the others still go out', async () => {
    const broken = await merchantWithCustomer();
    const healthy = await merchantWithCustomer();
    const receiver = await startWebhookReceiver();
    try {
      const brokenEndpoint = await subscribe(broken.merchant.secretKey, receiver.url);
      const healthyEndpoint = await subscribe(healthy.merchant.secretKey, receiver.url);
      receiver.expectSecrets([healthyEndpoint.secret]);
      // A sealed secret Kassa cannot open (as with another process's keyring).
      await t.system.db.query(
        "update webhook_endpoints set secret_sealed = '\\x00deadbeef' where id = $1",
        [decodeId('we', brokenEndpoint.id)],
      );
      const healthyPayment = await pay(healthy.payer, healthy.merchant.id, 700);
      await pay(broken.payer, broken.merchant.id, 500);
      const worker = t.system.startWorker(3_600_000);
      try {
        const deadline = Date.now() + 15_000;
        let postponed: { attempts: number; lease_until: Date | null; last_error: string }[] = [];
        while (Date.now() < deadline) {
          await worker.runOnce();
          postponed = await t.system.db.query(
            `select attempts, lease_until, last_error from webhook_deliveries
              where endpoint_id = $1 and last_error is not null`,
            [decodeId('we', brokenEndpoint.id)],
          );
          const delivered = [...receiver.processed.values()].some(
            (e) => e.data.object.id === healthyPayment.id,
          );
          if (delivered && postponed.length > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.ok(
          [...receiver.processed.values()].some((e) => e.data.object.id === healthyPayment.id),
          'the healthy endpoint got its webhook',
        );
        assert.ok(postponed.length > 0, 'the broken delivery was recorded');
        for (const row of postponed) {
          assert.equal(row.last_error, 'internal error');
          assert.equal(row.lease_until, null, 'not left leased');
          assert.equal(row.attempts, 0, 'not counted as an attempt at the receiver');
        }
        const endpoint = await t.system.db.query<{ failing_since: Date | null }>(
          'select failing_since from webhook_endpoints where id = $1',
          [decodeId('we', brokenEndpoint.id)],
        );
        assert.equal(endpoint[0]?.failing_since, null, 'our failure is not the receiver’s');
      } finally {
        await worker.stop();
        // Nothing else in this file should wait for the broken endpoint.
        await t.system.db.query(
          "update webhook_deliveries set status = 'dead' where endpoint_id = $1",
          [decodeId('we', brokenEndpoint.id)],
        );
      }
    } finally {
      await receiver.close();
    }
  });
});
