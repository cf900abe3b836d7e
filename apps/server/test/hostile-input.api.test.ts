import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

/** A JSON text with `value` (already JSON) at `field`, so escapes reach the parser as sent. */
function withRaw(body: Record<string, unknown>, field: string, rawValue: string): string {
  const marker = `__raw_${randomUUID()}__`;
  return JSON.stringify({ ...body, [field]: marker }).replace(`"${marker}"`, rawValue);
}

function deep(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

describe('hostile text is a clear 400, checked before a request joins a batch (issue 11, medium 7)', () => {
  it('a NUL, an unpaired surrogate or 10,000 levels of nesting in any text field: 400, nothing moves', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 10_000);
    const merchant = await t.createMerchant();
    const targets: { url: string; token: string; body: Record<string, unknown>; field: string }[] =
      [
        {
          url: '/v1/transfers',
          token: alice.token,
          body: { to: bob.email, amount: 100, currency: 'USD' },
          field: 'description',
        },
        {
          url: '/v1/payments',
          token: alice.token,
          body: { merchant: merchant.id, amount: 100, currency: 'USD' },
          field: 'description',
        },
        {
          url: '/v1/merchants',
          token: t.operatorKey,
          body: { category: 'retail', currency: 'USD' },
          field: 'name',
        },
        {
          url: '/v1/devices',
          token: alice.token,
          body: { public_key: { kty: 'OKP', crv: 'Ed25519', x: 'x' } },
          field: 'name',
        },
        {
          url: '/v1/users',
          token: '',
          body: { email: `hostile-${randomUUID()}@kassa.test`, password: 'long enough pass' },
          field: 'name',
        },
      ];
    const hostile = {
      nul: '"before\\u0000after"',
      'lone high surrogate': '"x\\ud800y"',
      'lone low surrogate': '"\\udc00"',
      'nested 10,000 deep': deep(10_000),
    };
    const before = await t.balance(alice.token, alice.walletId);
    for (const target of targets) {
      for (const [label, raw] of Object.entries(hostile)) {
        const res = await t.system.app.inject({
          method: 'POST',
          url: target.url,
          payload: withRaw(target.body, target.field, raw),
          headers: {
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
            ...(target.token === '' ? {} : { authorization: `Bearer ${target.token}` }),
          },
        });
        const what = `${target.url} ${target.field} ${label}`;
        assert.equal(res.statusCode, 400, `${what}: ${res.statusCode} ${res.body}`);
        const error = res.json().error;
        assert.ok(['invalid_request', 'invalid_json'].includes(error.code), `${what}: ${res.body}`);
        assert.equal(error.money_moved, false, what);
        assert.match(error.message, /NUL|Unicode|nested/, what);
      }
    }
    assert.deepEqual(await t.balance(alice.token, alice.walletId), before);
    const stored = await t.system.db.query(
      "select 1 from payments where description like '%before%'",
    );
    assert.equal(stored.length, 0);
  });

  it('hostile query strings and keys are 400s too, never a 500', async () => {
    const alice = await t.signUp();
    for (const url of [
      `/v1/wallets/${alice.walletId}/transactions?starting_after=%00`,
      `/v1/wallets/${alice.walletId}/transactions?starting_after=%ED%A0%80`,
      '/v1/payments/pay_%00',
    ]) {
      const res = await t.request('GET', url, { token: alice.token });
      assert.ok(
        res.statusCode >= 400 && res.statusCode < 500,
        `${url}: ${res.statusCode} ${res.body}`,
      );
    }
    const key = await t.system.app.inject({
      method: 'POST',
      url: '/v1/transfers',
      payload: { to: alice.email, amount: 1, currency: 'USD', [`k\u0000`]: 1 },
      headers: { authorization: `Bearer ${alice.token}`, 'idempotency-key': randomUUID() },
    });
    assert.equal(key.statusCode, 400, key.body);
  });

  it('bad requests among good ones cost the good ones nothing: no batch is split', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 100_000);
    const splitBatches = async () =>
      (await t.system.metrics.ledgerBatchSize.get()).values.find(
        (v) => v.labels.outcome === 'split' && v.metricName?.endsWith('_count') === true,
      )?.value ?? 0;
    const before = await splitBatches();
    const requests = Array.from({ length: 40 }, (_, i) =>
      t.system.app.inject({
        method: 'POST',
        url: '/v1/transfers',
        payload:
          i % 2 === 0
            ? JSON.stringify({ to: bob.email, amount: 10, currency: 'USD' })
            : withRaw({ to: bob.email, amount: 10, currency: 'USD' }, 'description', '"\\u0000"'),
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${alice.token}`,
          'idempotency-key': randomUUID(),
        },
      }),
    );
    const answers = await Promise.all(requests);
    assert.deepEqual(
      answers.map((a, i) => (i % 2 === 0 ? a.statusCode === 201 : a.statusCode === 400)),
      answers.map(() => true),
      answers.map((a) => a.statusCode).join(','),
    );
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 200);
    const after = await splitBatches();
    assert.equal(after, before, 'no ledger batch had to be re-run one by one');
  });
});
