import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

/**
 * The degraded-processor policy: a lossy link is retried and hedged under the processor key,
 * and the breaker stays closed for it (it opens for an outage: rails.api.test.ts).
 */
let t: TestSystem;
before(async () => {
  t = await startTestSystem({
    processor: { callbacks: false },
    env: { PROCESSOR_TIMEOUT_MS: '2000', PROCESSOR_HEDGE_AFTER_MS: '100' },
  });
});
after(() => t.close());

async function simFaults(body: Record<string, number> | null) {
  const address = t.sim?.app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  const res = await fetch(`http://127.0.0.1:${address.port}/admin/faults`, {
    method: body === null ? 'DELETE' : 'POST',
    ...(body === null
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  assert.equal(res.status, 200, await res.text());
}

it('a lossy processor (30% errors, 20% lost replies, 5% timeouts): the breaker stays closed, top-ups go through, each charged once', async () => {
  const users = [];
  for (let i = 0; i < 6; i += 1) {
    const user = await t.signUp();
    users.push({ ...user, card: await t.addCard(user.token, '4242424242424242') });
  }
  await simFaults({ error_rate: 0.3, lost_reply_rate: 0.2, timeout_rate: 0.05 });
  const answers: { status: number; topup: string; state: string; wallet: string }[] = [];
  const amount = 1_000;
  try {
    await Promise.all(
      users.map(async (user) => {
        for (let i = 0; i < 10; i += 1) {
          const res = await t.request('POST', '/v1/topups', {
            token: user.token,
            key: randomUUID(),
            body: { payment_method: user.card, amount, currency: 'USD' },
          });
          const body = res.json<{ id?: string; status?: string }>();
          answers.push({
            status: res.statusCode,
            topup: body.id ?? '',
            state: body.status ?? res.body,
            wallet: user.walletId,
          });
        }
      }),
    );
  } finally {
    await simFaults(null);
  }
  const refused = answers.filter((a) => a.status === 503);
  const succeeded = answers.filter((a) => a.status === 201 && a.state === 'succeeded');
  const unknown = answers.filter((a) => a.status === 202 && a.state === 'outcome_unknown');
  assert.equal(t.system.breaker.openings(), 0, 'a lossy link is not an outage');
  assert.equal(refused.length, 0, 'nothing refused as processor_unavailable');
  assert.equal(succeeded.length + unknown.length, answers.length, JSON.stringify(answers));
  // Four tries per call: a call fails only when all four do (0.55^4 ≈ 9%).
  assert.ok(succeeded.length >= 42, `${succeeded.length} of 60 succeeded at once`);
  const metrics = (await t.request('GET', '/metrics', { token: t.operatorKey })).body;
  assert.match(metrics, /kassa_processor_calls_total\{operation="charge",outcome="hedged"\} [1-9]/);

  // The worker settles the unknown ones; then each wallet holds exactly what was charged.
  await t.system.startWorker(3_600_000).runOnce();
  const open = await t.system.db.query(
    "select 1 from processor_flows where recovery_point = 'started'",
  );
  assert.equal(open.length, 0, 'every unknown resolved');
  const charged = new Map<string, number>();
  for (const entry of t.sim?.store.settlement ?? []) {
    assert.equal(entry.type, 'capture');
    charged.set(entry.idempotency_key, (charged.get(entry.idempotency_key) ?? 0) + 1);
  }
  assert.ok(
    [...charged.values()].every((n) => n === 1),
    'hedges and retries under one key charged once',
  );
  const total = (await Promise.all(users.map((u) => t.balance(u.token, u.walletId)))).reduce(
    (sum, b) => sum + b.balance,
    0,
  );
  assert.equal(total, charged.size * amount, 'credited exactly what the processor captured');
});
