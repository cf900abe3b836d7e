import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import { Redis } from 'ioredis';
import { decodeId } from '../src/kernel/ids.ts';
import { startOwnServer, type OwnServer } from './support/own-server.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

/** A Redis of this test's own, so it can be killed. */
let redisServer: OwnServer;
let t: TestSystem;
let probe: Redis;

before(async () => {
  redisServer = await startOwnServer('redis-server', (port) => [
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  const port = redisServer.port;
  probe = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  t = await startTestSystem({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
  for (let i = 0; i < 50; i += 1) {
    if ((await t.request('GET', '/readyz')).statusCode === 200) break;
    await sleep(50);
  }
});
after(async () => {
  probe?.disconnect();
  await redisServer?.kill();
  await t?.close();
});

let merchant: { id: string; secretKey: string };

it('merchant profiles are read through Redis and dropped by the API after a change and by the event consumer', async () => {
  merchant = await t.createMerchant();
  const payer = await t.signUp();
  const key = `kassa:cache:merchant:${decodeId('mer', merchant.id) ?? ''}`;
  const profile = async () => {
    const res = await t.request('GET', `/v1/merchants/${merchant.id}`, { token: payer.token });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ name: string; fee_bps?: number }>();
  };
  assert.equal((await profile()).name, 'Test Shop');
  assert.equal((await profile()).fee_bps, undefined, 'a payer does not see the fee');
  assert.equal(await probe.exists(key), 1, 'the profile is cached');
  // Changed behind the API's back (no invalidation): the cached profile is still served.
  await t.system.db.query("update merchants set name = 'Changed in SQL' where id = $1", [
    decodeId('mer', merchant.id),
  ]);
  assert.equal((await profile()).name, 'Test Shop', 'reads are served from Redis');
  // Whoever can write to Redis cannot plant a name: entries carry an HMAC Redis cannot make.
  const cached = (await probe.get(key)) ?? '';
  await probe.set(key, cached.replace('Test Shop', 'Planted in Redis'));
  assert.equal((await profile()).name, 'Changed in SQL', 'a forged entry is a miss');
  const before = (await probe.get(key)) ?? '';

  const changed = await t.request('PATCH', `/v1/merchants/${merchant.id}`, {
    token: merchant.secretKey,
    body: { name: 'Corner Café' },
  });
  assert.equal(changed.statusCode, 200, changed.body);
  assert.equal((await profile()).name, 'Corner Café', 'the API dropped the cached profile');

  // As if the API process had died between its commit and its delete: the event still drops it.
  await probe.set(key, before);
  assert.equal((await profile()).name, 'Changed in SQL', 'the stale entry is served');
  // The relay reads below the cluster's oldest running transaction: other tests' transactions
  // can hold the event back for a moment, so run the worker until it has been handled.
  const worker = t.system.startWorker(3_600_000);
  for (let i = 0; i < 100 && (await probe.exists(key)) === 1; i += 1) {
    await worker.runOnce();
    if ((await probe.exists(key)) === 1) await sleep(50);
  }
  await worker.stop();
  assert.equal(await probe.exists(key), 0, 'the merchant.updated event dropped the stale profile');
  assert.equal((await profile()).name, 'Corner Café');
});

it('wallet balances are served from Redis, dropped on every commit, and read from PostgreSQL when Redis dies', async () => {
  const alice = await t.signUp();
  const bob = await t.signUp();
  await t.fund(alice.walletId, 10_000);
  const key = `kassa:cache:wallet:${decodeId('wal', alice.walletId) ?? ''}`;
  for (
    let i = 0;
    i < 50 && t.system.app.server.listening === false && (await probe.exists(key)) === 0;
    i += 1
  ) {
    assert.equal((await t.balance(alice.token, alice.walletId)).balance, 10_000);
    if ((await probe.exists(key)) === 1) break;
    await sleep(50);
  }
  assert.equal(await probe.exists(key), 1, 'the display balance is cached');

  const sent = await t.request('POST', '/v1/transfers', {
    token: alice.token,
    key: randomUUID(),
    body: { to: bob.email, amount: 2_500, currency: 'USD' },
  });
  assert.equal(sent.statusCode, 201);
  assert.equal(
    (await t.balance(alice.token, alice.walletId)).balance,
    7_500,
    'the commit dropped the cached balance: never stale after one’s own payment',
  );

  await redisServer.kill();
  await sleep(200);
  for (let i = 0; i < 5; i += 1) {
    const res = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key: randomUUID(),
      body: { to: bob.email, amount: 100, currency: 'USD' },
    });
    assert.equal(res.statusCode, 201, `payments go on without Redis: ${res.body}`);
  }
  assert.equal((await t.balance(alice.token, alice.walletId)).balance, 7_000);
  assert.equal((await t.balance(bob.token, bob.walletId)).balance, 3_000);
  const profile = await t.request('GET', `/v1/merchants/${merchant.id}`, { token: bob.token });
  assert.equal(profile.statusCode, 200, 'profiles are read from PostgreSQL without Redis');
  assert.equal(profile.json<{ name: string }>().name, 'Corner Café');
});
