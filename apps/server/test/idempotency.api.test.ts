import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { reapIdempotencyKeys, requestFingerprint } from '../src/modules/idempotency/index.ts';
import { maskCardNumbers } from '../src/modules/vault/index.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

describe('idempotency', () => {
  it('20 simultaneous requests with one key: one effect, identical responses', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 10_000);
    const key = randomUUID();
    const body = { to: bob.email, amount: 700, currency: 'USD' };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.request('POST', '/v1/transfers', { token: alice.token, key, body }),
      ),
    );
    assert.ok(
      responses.every((r) => r.statusCode === 201),
      responses.map((r) => r.body).join('\n'),
    );
    const bodies = new Set(responses.map((r) => r.body));
    assert.equal(bodies.size, 1, 'every caller sees the same transfer');
    assert.equal(responses.filter((r) => r.headers['idempotent-replayed'] === 'true').length, 19);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 700);
  });

  it('the same key from two different processes-worth of batches still moves money once', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 10_000);
    const keys = Array.from({ length: 10 }, () => randomUUID());
    const all = await Promise.all(
      keys.flatMap((key) =>
        [0, 1, 2].map(() =>
          t.request('POST', '/v1/transfers', {
            token: alice.token,
            key,
            body: { to: bob.email, amount: 100, currency: 'USD' },
          }),
        ),
      ),
    );
    assert.ok(all.every((r) => r.statusCode === 201));
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 1_000);
  });

  it('the same key with a different request is 422 and changes nothing', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 1_000);
    const key = randomUUID();
    await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key,
      body: { to: bob.email, amount: 100, currency: 'USD' },
    });
    const reused = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key,
      body: { to: bob.email, amount: 200, currency: 'USD' },
    });
    assert.equal(reused.statusCode, 422);
    assert.equal(reused.json().error.code, 'idempotency_key_reused');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 100);
  });

  it('fields in another order are the same request', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 1_000);
    const key = randomUUID();
    const first = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key,
      body: { to: bob.email, amount: 100, currency: 'USD' },
    });
    const second = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key,
      body: { currency: 'USD', amount: 100, to: bob.email },
    });
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal(second.body, first.body);
  });

  it('a declined request is replayed as declined, with the original request id', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    const key = randomUUID();
    const first = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key,
      body: { to: bob.email, amount: 100, currency: 'USD' },
    });
    assert.equal(first.statusCode, 402);
    await t.fund(alice.walletId, 1_000);
    const again = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key,
      body: { to: bob.email, amount: 100, currency: 'USD' },
    });
    assert.equal(again.statusCode, 402);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.json().error.request_id, first.json().error.request_id);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
  });

  it('keys are scoped per caller: two users may use the same key', async () => {
    const [a, b, c] = [await t.signUp(), await t.signUp(), await t.signUp()];
    await t.fund(a.walletId, 1_000);
    await t.fund(b.walletId, 1_000);
    const key = 'shared-key-1';
    for (const sender of [a, b]) {
      const res = await t.request('POST', '/v1/transfers', {
        token: sender.token,
        key,
        body: { to: c.email, amount: 50, currency: 'USD' },
      });
      assert.equal(res.statusCode, 201);
      assert.equal(res.headers['idempotent-replayed'], undefined);
    }
    assert.equal((await t.balance(c.token, c.walletId)).balance, 100);
  });

  it('a key held by a running request answers 409 with Retry-After, and nothing moves', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 1_000);
    const key = randomUUID();
    const body = { to: bob.email, amount: 10, currency: 'USD' };
    const [user] = await t.system.db.query<{ id: string }>(
      'select id from users where email = $1',
      [alice.email],
    );
    // A committed in-progress claim: what a multi-step request leaves while it still runs.
    await t.system.db.query(
      `insert into idempotency_keys (scope, key, request_sha256, status) values ($1, $2, $3, 'in_progress')`,
      [
        `user:${user!.id}`,
        // Stored as the server stores it: a key whose digits read as a card number is masked
        // (a random UUID does now and then, which once made this test flaky).
        maskCardNumbers(key),
        requestFingerprint(t.system.keyring().lookupKey, {
          method: 'POST',
          route: '/v1/transfers',
          params: {},
          body,
        }),
      ],
    );
    const res = await t.request('POST', '/v1/transfers', { token: alice.token, key, body });
    assert.equal(res.statusCode, 409, res.body);
    assert.equal(res.json().error.code, 'idempotency_key_in_progress');
    assert.equal(res.json().error.money_moved, null);
    assert.equal(res.headers['retry-after'], '1');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
  });

  it('keys are kept for the retention period, then reaped', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 1_000);
    const key = randomUUID();
    const sent = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key,
      body: { to: bob.email, amount: 10, currency: 'USD' },
    });
    assert.equal(sent.statusCode, 201, sent.body);
    const sixDaysAgo = new Date(Date.now() - 6 * 86_400_000);
    await reapIdempotencyKeys(t.system.db, sixDaysAgo);
    const kept = await t.system.db.query('select 1 from idempotency_keys where key = $1', [
      maskCardNumbers(key),
    ]);
    assert.equal(kept.length, 1);
    await t.system.db.query(
      `update idempotency_keys set created_at = now() - interval '9 days' where key = $1`,
      [maskCardNumbers(key)],
    );
    assert.ok((await reapIdempotencyKeys(t.system.db, new Date(Date.now() - 8 * 86_400_000))) >= 1);
    const gone = await t.system.db.query('select 1 from idempotency_keys where key = $1', [
      maskCardNumbers(key),
    ]);
    assert.equal(gone.length, 0);
  });

  it('every money-moving POST requires a key', async () => {
    const alice = await t.signUp();
    const res = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      body: { to: 'x@y.z', amount: 1, currency: 'USD' },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'idempotency_key_missing');
    const tooLong = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key: 'k'.repeat(256),
      body: { to: 'x@y.z', amount: 1, currency: 'USD' },
    });
    assert.equal(tooLong.json().error.code, 'idempotency_key_invalid');
  });
});
