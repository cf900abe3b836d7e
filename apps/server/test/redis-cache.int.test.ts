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
});
