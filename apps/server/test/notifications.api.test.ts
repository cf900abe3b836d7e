import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, it } from 'node:test';
import { outboxLag } from '../src/modules/events/index.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem({ env: { LARGE_PAYMENT_ALERT_MINOR: '20000' } });
});
after(() => t.close());

async function relay() {
  const worker = t.system.startWorker(3_600_000);
  for (let i = 0; i < 100; i += 1) {
    await worker.runOnce();
    const lag = await outboxLag(t.system.db.pool, ['notifications']);
    if (lag.get('notifications') === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await worker.stop();
}

it('money received and large payments become alerts in the feed, once, and can be marked read', async () => {
  const alice = await t.signUp('Alice');
  const bob = await t.signUp('Bob');
  await t.fund(alice.walletId, 100_000);
  const merchant = await t.createMerchant();
  await t.request('POST', '/v1/transfers', {
    token: alice.token,
    key: randomUUID(),
    body: { to: bob.email, amount: 1_250, currency: 'USD' },
  });
  await t.request('POST', '/v1/payments', {
    token: alice.token,
    key: randomUUID(),
    body: { merchant: merchant.id, amount: 25_000, currency: 'USD' },
  });
  await t.request('POST', '/v1/payments', {
    token: alice.token,
    key: randomUUID(),
    body: { merchant: merchant.id, amount: 500, currency: 'USD' },
  });
  await relay();
  await relay(); // a second pass adds nothing

  const bobs = await t.request('GET', '/v1/notifications', { token: bob.token });
  assert.deepEqual(
    bobs.json().data.map((n: { type: string; body: string }) => [n.type, n.body]),
    [['money_received', 'You received 12.50 USD.']],
  );
  assert.equal(bobs.json().unread, 1);
  const alices = await t.request('GET', '/v1/notifications', { token: alice.token });
  assert.deepEqual(
    alices.json().data.map((n: { type: string }) => n.type),
    ['large_payment'],
    'only the payment above the threshold alerts',
  );
  const id = bobs.json().data[0].id as string;
  const read = await t.request('POST', `/v1/notifications/${id}/read`, { token: bob.token });
  assert.equal(read.json().read, true);
  assert.equal(
    (await t.request('GET', '/v1/notifications', { token: bob.token })).json().unread,
    0,
  );
  const foreign = await t.request('POST', `/v1/notifications/${id}/read`, { token: alice.token });
  assert.equal(foreign.statusCode, 404);
});

it('the stream pushes a new alert as a server-sent event as soon as the worker stores it', async () => {
  const alice = await t.signUp();
  const bob = await t.signUp();
  await t.fund(alice.walletId, 10_000);
  const base = await t.system.app.listen({ port: 0, host: '127.0.0.1' });
  const received = new Promise<string>((resolve, reject) => {
    const req = httpRequest(`${base}/v1/notifications/stream`, {
      headers: { authorization: `Bearer ${bob.token}`, accept: 'text/event-stream' },
    });
    req.on('response', (res) => {
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('event: notification')) {
          resolve(text);
          req.destroy();
        }
      });
    });
    req.on('error', (error) => {
      if (!String(error).includes('socket hang up')) reject(error);
    });
    req.end();
  });
  await new Promise((resolve) => setTimeout(resolve, 200)); // the stream is open
  await t.request('POST', '/v1/transfers', {
    token: alice.token,
    key: randomUUID(),
    body: { to: bob.email, amount: 300, currency: 'USD' },
  });
  await relay();
  const text = await received;
  assert.match(text, /id: ntf_[0-9a-z]+\nevent: notification\ndata: \{.*"type":"money_received"/);
  assert.match(text, /You received 3\.00 USD\./);
});

it('a new device and a burst of failed log-ins alert the account owner', async () => {
  const user = await t.signUp();
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  const enrolled = await t.request('POST', '/v1/devices', {
    token: user.token,
    body: { name: 'New phone', public_key: jwk },
  });
  assert.equal(enrolled.statusCode, 201, enrolled.body);
  for (let i = 0; i < 10; i += 1)
    await t.request('POST', '/v1/sessions', {
      body: { email: user.email, password: `wrong ${i}` },
    });
  await relay();
  const feed = await t.request('GET', '/v1/notifications', { token: user.token });
  assert.deepEqual(
    feed.json().data.map((n: { type: string }) => n.type),
    ['login_failed_burst', 'new_device'],
  );
  assert.match(feed.json().data[1].body, /New phone/);
});
