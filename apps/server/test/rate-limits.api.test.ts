import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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

  it('with Redis unreachable, requests still go through (rate limits fail open)', async () => {
    const down = await startTestSystem({
      env: { ...redisEnv, REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_AUTH_PER_MINUTE: '1' },
    });
    try {
      const address = randomAddress();
      for (let i = 0; i < 3; i += 1) assert.equal((await logIn(down, address)).statusCode, 401);
    } finally {
      await down.close();
    }
  });
});
