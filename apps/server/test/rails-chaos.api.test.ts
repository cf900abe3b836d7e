import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import { reconcile } from '../src/modules/rails/index.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

/**
 * The processor at 30% errors, 20% lost replies, 2% timeouts, random latency, and duplicated,
 * reordered callbacks. Clients retry with the same key until each top-up or payout is
 * finished, the way the SDK does. Nothing may be lost, charged twice or left stuck.
 */
const topups = Number(process.env['CHAOS_TOPUPS'] ?? 1_000);
const payouts = Number(process.env['CHAOS_PAYOUTS'] ?? 1_000);
const concurrency = 16;

let t: TestSystem;
before(async () => {
  t = await startTestSystem({
    processor: { callbacks: true },
    env: {
      PROCESSOR_TIMEOUT_MS: '250',
      PROCESSOR_RETRIES: '2',
      PROCESSOR_BREAKER_COOLDOWN_MS: '200',
    },
  });
});
after(() => t.close());

function simUrl(): string {
  const address = t.sim?.app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  return `http://127.0.0.1:${address.port}`;
}

interface Op {
  readonly kind: 'topup' | 'payout';
  readonly token: string;
  readonly key: string;
  readonly body: unknown;
  final?: { status: string; id: string };
  attempts: number;
}

async function drive(op: Op): Promise<void> {
  for (let i = 0; i < 200 && op.final === undefined; i += 1) {
    op.attempts += 1;
    const res = await t.request('POST', op.kind === 'topup' ? '/v1/topups' : '/v1/payouts', {
      token: op.token,
      key: op.key,
      body: op.body,
    });
    if (res.statusCode === 201) {
      const body = res.json<{ status: string; id: string }>();
      op.final = { status: body.status, id: body.id };
      return;
    }
    // 202 outcome_unknown, 409 in progress, 503 breaker open: same key, a moment later.
    assert.ok([202, 409, 503].includes(res.statusCode), `${res.statusCode} ${res.body}`);
    await sleep(res.statusCode === 202 ? 20 : 60);
  }
}

it(`${topups} top-ups and ${payouts} payouts through a faulty processor: each once, none stuck, reconciled`, async () => {
  const users = [];
  for (let i = 0; i < 20; i += 1) {
    const user = await t.signUp();
    await t.fund(user.walletId, 100_000_000);
    const cards = [
      await t.addCard(user.token, '4242424242424242'),
      await t.addCard(user.token, '4000000000000002'),
      await t.addCard(user.token, '4000000000009995'),
    ];
    users.push({ ...user, cards });
  }
  const ops: Op[] = [];
  for (let i = 0; i < topups + payouts; i += 1) {
    const user = users[i % users.length]!;
    const kind = i % (topups + payouts) < topups ? 'topup' : 'payout';
    const amount = 100 + ((i * 7919) % 50_000);
    ops.push({
      kind,
      token: user.token,
      key: randomUUID(),
      attempts: 0,
      body:
        kind === 'topup'
          ? {
              payment_method: user.cards[i % 10 === 0 ? 1 : i % 10 === 1 ? 2 : 0],
              amount,
              currency: 'USD',
            }
          : {
              amount,
              currency: 'USD',
              bank_account: {
                country: 'US',
                account_number: i % 10 === 0 ? '000111111116' : '000123456789',
                routing_number: '110000000',
              },
            },
    });
  }
  // Shuffle so top-ups and payouts interleave.
  ops.sort((a, b) => (a.key < b.key ? -1 : 1));

  const faults = await fetch(`${simUrl()}/admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      error_rate: 0.3,
      lost_reply_rate: 0.2,
      timeout_rate: 0.02,
      latency_ms: 1,
      latency_jitter_ms: 15,
      duplicate_callback_rate: 0.3,
      callback_delay_ms: 150,
    }),
  });
  assert.equal(faults.status, 200);

  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ops.length) {
        const op = ops[next]!;
        next += 1;
        await drive(op);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await fetch(`${simUrl()}/admin/faults`, { method: 'DELETE' });
  await sleep(400); // late callbacks land

  const stuck = ops.filter((op) => op.final === undefined).length;
  const unfinished = await t.system.db.query(
    "select 1 from processor_flows where recovery_point = 'started'",
  );
  // One flow per client key: retries never created a second payment.
  const flows = await t.system.db.query<{ n: string }>(
    'select count(*)::text as n from processor_flows',
  );
  const settlement = t.sim?.store.settlement ?? [];
  const perKey = new Map<string, number>();
  for (const entry of settlement)
    perKey.set(entry.idempotency_key, (perKey.get(entry.idempotency_key) ?? 0) + 1);
  const duplicates = [...perKey.values()].filter((n) => n > 1).length;
  const succeeded = ops.filter((op) => op.final?.status === 'succeeded');
  const processor = t.system.processor;
  assert.ok(processor !== null);
  const report = await reconcile({ db: t.system.db, processor, clock: t.system.clock });
  const ledger = await t.system.ledger.verify();
  const stats = t.sim?.stats;

  console.log(
    `chaos: ${ops.length} operations in ${seconds.toFixed(1)} s; client attempts ${ops.reduce((n, op) => n + op.attempts, 0)}; ` +
      `processor calls ${stats?.requests}, errors injected ${stats?.errors_injected}, lost replies injected ${stats?.lost_replies_injected}, ` +
      `timeouts injected ${stats?.timeouts_injected}, callbacks ${stats?.callbacks_sent} (duplicated ${stats?.duplicate_callbacks_sent}); ` +
      `breaker openings ${t.system.breaker.openings()}; succeeded ${succeeded.length}, failed ${ops.length - succeeded.length - stuck}; ` +
      `duplicates = ${duplicates}, stuck = ${stuck}, reconcile mismatches = ${report.mismatches.length}`,
  );

  assert.equal(stuck, 0, 'every operation finished');
  assert.equal(unfinished.length, 0);
  assert.equal(Number(flows[0]?.n), ops.length);
  assert.equal(duplicates, 0, 'the processor did each charge and payout once');
  assert.ok((stats?.lost_replies_injected ?? 0) > 0 && (stats?.errors_injected ?? 0) > 0);
  assert.equal(settlement.length, succeeded.length, 'one settlement entry per success');
  assert.deepEqual(report.mismatches, []);
  assert.equal(report.matched, succeeded.length);
  assert.equal(ledger.balanced, true);
  assert.deepEqual(ledger.mismatches, []);
  // Declined cards and failing accounts failed; everything else succeeded.
  const failedTopups = ops.filter((op) => op.kind === 'topup' && op.final?.status === 'failed');
  assert.ok(failedTopups.length >= topups / 10, `${failedTopups.length} declined top-ups`);
});
