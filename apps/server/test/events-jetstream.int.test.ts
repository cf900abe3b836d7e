import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import { connect, type NatsConnection } from 'nats';
import { outboxLag } from '../src/modules/events/index.ts';
import { startOwnServer, type OwnServer } from './support/own-server.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';
import { startWebhookReceiver } from './support/webhook-receiver.ts';

/**
 * The worker with NATS_URL set: events go outbox → JetStream → consumers. A NATS server of the
 * test's own (the machine's nats-server binary, its own store directory), so it can be killed.
 */
const stream = `KASSA_TEST_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const storeDir = mkdtempSync(join(tmpdir(), 'kassa-nats-'));
let nats: OwnServer;
let probe: NatsConnection;
let t: TestSystem;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let merchant: Awaited<ReturnType<TestSystem['createMerchant']>>;
let payer: Awaited<ReturnType<TestSystem['signUp']>>;
const logLines: string[] = [];

before(async () => {
  nats = await startOwnServer('/usr/sbin/nats-server', (port) => [
    '-a',
    '127.0.0.1',
    '-p',
    String(port),
    '-js',
    '-sd',
    storeDir,
  ]);
  probe = await connect({ servers: `nats://127.0.0.1:${nats.port}`, maxReconnectAttempts: -1 });
  t = await startTestSystem({
    logLines,
    env: { NATS_URL: `nats://127.0.0.1:${nats.port}`, NATS_STREAM: stream },
  });
  receiver = await startWebhookReceiver();
  merchant = await t.createMerchant();
  const created = await t.request('POST', '/v1/webhook_endpoints', {
    token: merchant.secretKey,
    body: { url: receiver.url, events: ['payment.succeeded'] },
  });
  assert.equal(created.statusCode, 201, created.body);
  receiver.expectSecrets([created.json().secret as string]);
  payer = await t.signUp();
  await t.fund(payer.walletId, 100_000_000);
});
after(async () => {
  await probe?.close();
  await receiver?.close();
  await t?.close();
  await nats?.kill();
  rmSync(storeDir, { recursive: true, force: true });
});

async function pay(amount: number): Promise<string> {
  const res = await t.request('POST', '/v1/payments', {
    token: payer.token,
    key: randomUUID(),
    body: { merchant: merchant.id, amount, currency: 'USD' },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<{ id: string }>().id;
}

const deliveredIds = () => new Set([...receiver.processed.values()].map((e) => e.data.object.id));

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const rows = await t.system.db.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n);
}

it('events reach webhooks and notifications through JetStream, once each, with two workers at once', async () => {
  const paid = new Set<string>();
  for (let i = 0; i < 29; i += 1) paid.add(await pay(100 + i));
  paid.add(await pay(60_000)); // at least LARGE_PAYMENT_ALERT_MINOR: the payer is alerted
  const workers = [t.system.startWorker(3_600_000), t.system.startWorker(3_600_000)];
  try {
    for (let round = 0; [...paid].some((id) => !deliveredIds().has(id)); round += 1) {
      assert.ok(round < 50, `not delivered after ${round} rounds`);
      await Promise.all(workers.map((w) => w.runOnce()));
    }
    // They went through the stream, not straight from the outbox.
    const info = await (await probe.jetstreamManager()).streams.info(stream);
    assert.ok(info.state.messages >= paid.size, `stream holds ${info.state.messages}`);
    const handled = (consumer: string) =>
      count('select count(*)::text as n from consumed_events where consumer = $1', [consumer]);
    const webhooksHandled = await handled('webhooks');
    assert.ok(webhooksHandled >= paid.size);
    assert.equal(await handled('notifications'), webhooksHandled);
    assert.equal(
      await count(`select count(*)::text as n from notifications where type = 'large_payment'`),
      1,
    );
    assert.equal(receiver.stats.duplicates, 0);
    // An open server (no NATS_*_USER): it works, and each worker says so once.
    const warnings = logLines.filter((line) => line.includes('NATS is unauthenticated'));
    assert.equal(warnings.length, workers.length);
    const lag = await outboxLag(t.system.db.pool, ['jetstream', 'webhooks', 'notifications']);
    assert.deepEqual([...lag.values()], [0, 0, 0]);

    // A copy published again under another message id changes nothing (it names no event).
    const jsm = await probe.jetstreamManager();
    const first = await jsm.streams.getMessage(stream, { seq: info.state.first_seq });
    const deliveries = () => count('select count(*)::text as n from webhook_deliveries');
    const before = { deliveries: await deliveries(), requests: receiver.stats.requests };
    await probe.jetstream().publish(first.subject, first.data, { msgID: `replay-${randomUUID()}` });
    await Promise.all(workers.map((w) => w.runOnce()));
    await Promise.all(workers.map((w) => w.runOnce()));
    assert.equal(await deliveries(), before.deliveries);
    assert.equal(receiver.stats.requests, before.requests);
    assert.equal(await handled('webhooks'), webhooksHandled);
    const pending = await jsm.consumers.info(stream, 'kassa_webhooks');
    assert.equal(pending.num_pending + pending.num_ack_pending, 0, 'the copy was acked');
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
});

it('NATS killed during load: payments go on, the publisher catches up from the outbox when it returns', async () => {
  const payments = 600;
  const worker = t.system.startWorker(50);
  const paid = new Set<string>();
  let next = 0;
  let maxLag = 0;
  let paidWhileDown = 0;
  let down = false;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < payments) {
          const i = next;
          next += 1;
          if (i === payments / 4) {
            await nats.kill();
            down = true;
          }
          paid.add(await pay(100 + i));
          if (down) paidWhileDown += 1;
        }
      }),
    );
    const metrics = (await t.request('GET', '/metrics', { token: t.operatorKey })).body;
    const lag = /kassa_outbox_lag_events\{consumer="jetstream"\} (\d+)/.exec(metrics);
    assert.ok(lag !== null, 'the publishing backlog is in /metrics');
    maxLag = Number(lag[1]);
    assert.ok(maxLag > 0, 'events wait in the outbox while NATS is down');
    const downFor = performance.now();
    await nats.restart();
    for (;;) {
      if ([...paid].every((id) => deliveredIds().has(id))) break;
      assert.ok(performance.now() - downFor < 60_000, 'caught up within a minute');
      await sleep(100);
    }
    const caughtUp = (performance.now() - downFor) / 1000;
    console.log(
      `jetstream: ${payments} payments in ${((downFor - started) / 1000).toFixed(1)} s, ` +
        `${paidWhileDown} of them while NATS was down (all 201); publishing backlog ${maxLag} events; ` +
        `every webhook delivered ${caughtUp.toFixed(1)} s after NATS returned; ` +
        `receiver duplicates ${receiver.stats.duplicates}, lost 0`,
    );
    assert.equal(paid.size, payments);
    assert.ok(paidWhileDown >= payments / 2);
    for (let i = 0; ; i += 1) {
      const lags = await outboxLag(t.system.db.pool, ['jetstream', 'webhooks', 'notifications']);
      if ([...lags.values()].every((n) => n === 0)) break;
      assert.ok(i < 100, `lag stays ${JSON.stringify([...lags])}`);
      await sleep(100);
    }
    assert.equal(
      await count(
        `select count(*)::text as n from (select event_id from webhook_deliveries group by event_id having count(*) > 1) d`,
      ),
      0,
    );
  } finally {
    await worker.stop();
  }
});
