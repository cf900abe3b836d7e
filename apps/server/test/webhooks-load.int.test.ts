import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import { startWorkerProcess, type ServerProcess } from './support/api-process.ts';
import { outboxLag } from '../src/modules/events/index.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';
import { startWebhookReceiver } from './support/webhook-receiver.ts';

/**
 * 10,000 payments; the merchant's receiver fails half of the requests (some by hanging) and
 * dedupes by event id; the worker process is killed with SIGKILL halfway and restarted. Every
 * event must reach the receiver with a valid signature and be processed once.
 */
const payments = Number(process.env['WEBHOOK_LOAD_PAYMENTS'] ?? 10_000);

let t: TestSystem;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let worker: ServerProcess | undefined;
before(async () => {
  t = await startTestSystem();
  receiver = await startWebhookReceiver(() => {
    const roll = Math.random();
    return roll < 0.45 ? 'fail' : roll < 0.5 ? 'hang' : 'ok';
  });
});
after(async () => {
  await worker?.kill('SIGKILL');
  await receiver.close();
  await t.close();
});

function workerEnv(): Record<string, string> {
  return {
    DATABASE_URL: t.databaseUrl,
    KASSA_TOKEN_SECRET: t.tokenSecret,
    KASSA_OPERATOR_KEY: t.operatorKey,
    ...t.keysEnv,
    KASSA_DATA_DIR: `/tmp/kassa-webhook-load-${randomUUID()}`,
    // The receiver runs on this machine, as in local development.
    WEBHOOK_ALLOW_LOOPBACK: 'true',
    // The 4-day retry schedule compressed to about 7 s; hung receivers cut off after 300 ms.
    WEBHOOK_RETRY_SCALE: '0.00002',
    WEBHOOK_TIMEOUT_MS: '300',
    WEBHOOK_INTERVAL_MS: '20',
    WEBHOOK_CONCURRENCY: '32',
    WORKER_INTERVAL_MS: '1000',
  };
}

async function backlog() {
  const rows = await t.system.db.query<{ pending: string; dead: string }>(
    `select (select count(*) from webhook_deliveries where status = 'pending')::text as pending,
            (select count(*) from webhook_deliveries where status = 'dead')::text as dead`,
  );
  const lag = await outboxLag(t.system.db.pool, ['webhooks']);
  return {
    lag: lag.get('webhooks') ?? -1,
    pending: Number(rows[0]?.pending),
    dead: Number(rows[0]?.dead),
  };
}

async function drained(timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await backlog();
    if (now.lag === 0 && now.pending === 0) return now;
    if (Date.now() > deadline) throw new Error(`not drained: ${JSON.stringify(now)}`);
    await sleep(200);
  }
}

it(
  `${payments} payments, a receiver failing 50% (some hanging), the worker SIGKILLed midway: every event processed once`,
  { timeout: 600_000 },
  async () => {
    const merchant = await t.createMerchant();
    const created = await t.request('POST', '/v1/webhook_endpoints', {
      token: merchant.secretKey,
      body: { url: receiver.url, events: ['payment.succeeded'] },
    });
    assert.equal(created.statusCode, 201, created.body);
    receiver.expectSecrets([created.json().secret as string]);
    const payers: Awaited<ReturnType<TestSystem['signUp']>>[] = [];
    for (let i = 0; i < 40; i += 1) {
      const payer = await t.signUp();
      await t.fund(payer.walletId, 100_000_000);
      payers.push(payer);
    }

    worker = await startWorkerProcess(workerEnv());
    const started = performance.now();
    let next = 0;
    let killedAt = -1;
    const paid: string[] = [];
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < payments) {
          const i = next;
          next += 1;
          if (i === Math.floor(payments / 2) && killedAt === -1) {
            killedAt = i;
            await worker?.kill('SIGKILL');
            worker = await startWorkerProcess(workerEnv());
          }
          const res = await t.request('POST', '/v1/payments', {
            token: payers[i % payers.length]!.token,
            key: randomUUID(),
            body: { merchant: merchant.id, amount: 100 + (i % 5_000), currency: 'USD' },
          });
          assert.equal(res.statusCode, 201, res.body);
          paid.push(res.json<{ id: string }>().id);
        }
      }),
    );
    const paymentSeconds = (performance.now() - started) / 1000;
    const metrics = (await t.request('GET', '/metrics', { token: t.operatorKey })).body;
    assert.match(metrics, /kassa_outbox_lag_events\{consumer="webhooks"\} \d+/);
    assert.match(metrics, /kassa_webhook_backlog\{status="pending"\} \d+/);

    let afterRun = await drained(300_000);
    const deadBeforeRetry = afterRun.dead;
    if (afterRun.dead > 0) {
      // Dead letters are not lost: the merchant (or an operator) sends them again.
      const retried = await t.request('POST', `/v1/webhook_endpoints/${created.json().id}/retry`, {
        token: merchant.secretKey,
      });
      assert.equal(retried.statusCode, 200);
      afterRun = await drained(120_000);
    }
    const seconds = (performance.now() - started) / 1000;

    const expected = new Set(paid);
    const delivered = new Set([...receiver.processed.values()].map((e) => e.data.object.id));
    const missing = [...expected].filter((id) => !delivered.has(id));
    console.log(
      `webhooks: ${payments} payments in ${paymentSeconds.toFixed(1)} s, all events processed after ${seconds.toFixed(1)} s; ` +
        `receiver requests ${receiver.stats.requests}, failed on purpose ${receiver.stats.failedOnPurpose}, hung ${receiver.stats.hung}, ` +
        `redelivered duplicates ${receiver.stats.duplicates}, bad signatures ${receiver.stats.badSignatures}; ` +
        `worker SIGKILLed after payment ${killedAt}; dead letters retried ${deadBeforeRetry}; lost = ${missing.length}`,
    );
    assert.equal(missing.length, 0, `lost: ${missing.slice(0, 5).join(', ')}`);
    assert.equal(receiver.processed.size, payments, 'each event processed once');
    assert.equal(receiver.stats.badSignatures, 0);
    assert.ok(receiver.stats.failedOnPurpose > payments / 4 && receiver.stats.hung > 0);
    assert.ok(killedAt > 0);
    assert.equal(afterRun.dead, 0);
  },
);
