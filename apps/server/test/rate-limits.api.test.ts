import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let shared: TestSystem;
let sibling: TestSystem;
const redisEnv = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  RATE_LIMIT_AUTH_PER_MINUTE: '5',
  RATE_LIMIT_USER_PER_MINUTE: '3',
};

before(async () => {
  shared = await startTestSystem({ env: redisEnv });
  sibling = await startTestSystem({ env: redisEnv });
});
after(async () => {
  await shared.close();
  await sibling.close();
});

/** Redis windows are whole minutes: start a counting test well inside one, never at its edge. */
async function awayFromWindowEdge(): Promise<void> {
  const secondsIntoMinute = (Date.now() / 1000) % 60;
  if (secondsIntoMinute > 50)
    await new Promise((resolve) => setTimeout(resolve, (61 - secondsIntoMinute) * 1000));
}

/** A client address of its own, so runs and files never share counters. */
function randomAddress(): string {
  return `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;
}

function logIn(t: TestSystem, address: string) {
  return t.system.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    remoteAddress: address,
    payload: { email: 'nobody@kassa.test', password: 'wrong password!' },
  });
}

describe('rate limits', () => {
  it('log-in attempts are limited per client address, shared across API processes through Redis', async () => {
    await awayFromWindowEdge();
    const address = randomAddress();
    const answers: number[] = [];
    for (let i = 0; i < 3; i += 1) answers.push((await logIn(shared, address)).statusCode);
    for (let i = 0; i < 2; i += 1) answers.push((await logIn(sibling, address)).statusCode);
    assert.deepEqual(answers, [401, 401, 401, 401, 401]);
    const limited = await logIn(sibling, address);
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error.code, 'rate_limited');
    assert.equal(limited.json().error.money_moved, false);
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assert.equal(
      (await logIn(shared, randomAddress())).statusCode,
      401,
      'another address is not limited',
    );
  });

  it('money-moving requests are limited per user; the refused one moves nothing', async () => {
    const alice = await shared.signUp();
    const bob = await shared.signUp();
    await shared.fund(alice.walletId, 1_000);
    await awayFromWindowEdge();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await shared.request('POST', '/v1/transfers', {
        token: alice.token,
        key: randomUUID(),
        body: { to: bob.email, amount: 10, currency: 'USD' },
      });
      statuses.push(res.statusCode);
    }
    assert.deepEqual(statuses, [201, 201, 201, 429]);
    assert.equal((await shared.balance(bob.token, bob.walletId)).balance, 30);
  });

  it('with Redis unreachable, limits keep counting in each process (never fail open)', async () => {
    const down = await startTestSystem({
      env: { ...redisEnv, REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_AUTH_PER_MINUTE: '2' },
    });
    try {
      const address = randomAddress();
      const answers = [];
      for (let i = 0; i < 4; i += 1) answers.push((await logIn(down, address)).statusCode);
      assert.deepEqual(answers, [401, 401, 429, 429]);
    } finally {
      await down.close();
    }
  });

  it('a hung Redis (it accepts connections, never answers) slows nothing and limits still hold', async () => {
    const sockets = new Set<Socket>();
    const hung = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined); // reads every command, answers none
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const port = (hung.address() as AddressInfo).port;
    const stuck = await startTestSystem({
      env: {
        ...redisEnv,
        REDIS_URL: `redis://127.0.0.1:${port}`,
        RATE_LIMIT_AUTH_PER_MINUTE: '10',
        RATE_LIMIT_USER_PER_MINUTE: '0',
      },
    });
    try {
      const user = await stuck.signUp();
      const address = randomAddress();
      const started = performance.now();
      const answers = await Promise.all(
        Array.from({ length: 90 }, () => logIn(stuck, address).then((r) => r.statusCode)),
      );
      const elapsedMs = performance.now() - started;
      assert.ok(
        answers.filter((s) => s === 401).length <= 10,
        `at most the limit was evaluated: ${answers.join(',')}`,
      );
      console.log(`90 log-ins against a hung Redis answered in ${Math.round(elapsedMs)} ms`);
      const me = await stuck.request('GET', `/v1/wallets/${user.walletId}`, { token: user.token });
      assert.equal(me.statusCode, 200, 'reads skip the cache');
      const ready = await stuck.request('GET', '/readyz');
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(ready.json().degraded, ['redis']);
    } finally {
      await stuck.close();
      for (const socket of sockets) socket.destroy();
      hung.close();
    }
  });

  it('answers carry RateLimit headers; IPv6 clients count per /64', async () => {
    const v6 = `2001:db8:${Math.floor(Math.random() * 65_000).toString(16)}:7`;
    const first = await logIn(shared, `${v6}::1`);
    assert.equal(first.headers['ratelimit-limit'], '5');
    assert.ok(Number(first.headers['ratelimit-remaining']) <= 4);
    assert.ok(Number(first.headers['ratelimit-reset']) >= 1);
    for (let i = 2; i <= 5; i += 1) await logIn(shared, `${v6}::${i}`);
    const limited = await logIn(shared, `${v6}:abcd::9`);
    assert.equal(limited.statusCode, 429, 'another address of the same /64 is the same client');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
  });

  it('behind a trusted proxy each forwarded client has its own count; from anyone else the header is ignored', async () => {
    const proxied = await startTestSystem({
      env: { RATE_LIMIT_AUTH_PER_MINUTE: '2', TRUST_PROXY: '10.9.0.0/16' },
    });
    try {
      const from = (peer: string, client: string) =>
        proxied.system.app.inject({
          method: 'POST',
          url: '/v1/sessions',
          remoteAddress: peer,
          headers: { 'x-forwarded-for': client },
          payload: { email: 'nobody@kassa.test', password: 'wrong password!' },
        });
      // Through the proxy: three clients, two attempts each, nobody limited.
      for (const client of ['198.51.100.1', '198.51.100.2', '198.51.100.3'])
        for (let i = 0; i < 2; i += 1)
          assert.equal((await from('10.9.0.5', client)).statusCode, 401);
      // Straight from the internet with a made-up header: one client, limited after two.
      const statuses = [];
      for (const client of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
        statuses.push((await from('192.0.2.77', client)).statusCode);
      assert.deepEqual(statuses, [401, 401, 429]);
    } finally {
      await proxied.close();
    }
  });

  it('keys carry the configured prefix, and a forged cache entry is never believed', async () => {
    const prefix = `kt${Math.floor(Math.random() * 1e9)}:`;
    const tenant = await startTestSystem({ env: { ...redisEnv, REDIS_KEY_PREFIX: prefix } });
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      const merchant = await tenant.createMerchant();
      const user = await tenant.signUp();
      const read = () =>
        tenant.request('GET', `/v1/merchants/${merchant.id}`, { token: user.token });
      assert.equal((await read()).json().name, 'Test Shop');
      const keys = await redis.keys(`${prefix}*`);
      assert.ok(keys.length > 0 && keys.every((k) => k.startsWith(prefix)), keys.join(','));
      const cached = keys.find((k) => k.includes('merchant'));
      assert.ok(cached !== undefined, keys.join(','));
      // Whoever can write to Redis tries to rename the merchant for payers.
      const forged = (await redis.get(cached))!.replace('Test Shop', 'Bank of Trust');
      await redis.set(cached, forged, 'EX', 300);
      assert.equal((await read()).json().name, 'Test Shop', 'the forged entry is a miss');
    } finally {
      redis.disconnect();
      await tenant.close();
    }
  });
});
