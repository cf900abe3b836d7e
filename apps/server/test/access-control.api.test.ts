import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
let owner: Awaited<ReturnType<TestSystem['signUp']>>;
let stranger: Awaited<ReturnType<TestSystem['signUp']>>;
let merchant: { id: string; secretKey: string };
let otherMerchant: { id: string; secretKey: string };
let paymentId: string;
let heldId: string;
let transferId: string;

before(async () => {
  t = await startTestSystem();
  owner = await t.signUp('Owner');
  stranger = await t.signUp('Stranger');
  const friend = await t.signUp('Friend');
  await t.fund(owner.walletId, 10_000);
  merchant = await t.createMerchant();
  otherMerchant = await t.createMerchant();
  paymentId = (
    await t.request('POST', '/v1/payments', {
      token: owner.token,
      key: randomUUID(),
      body: { merchant: merchant.id, amount: 1000, currency: 'USD' },
    })
  ).json().id;
  heldId = (
    await t.request('POST', '/v1/payments', {
      token: owner.token,
      key: randomUUID(),
      body: { merchant: merchant.id, amount: 1000, currency: 'USD', capture: 'manual' },
    })
  ).json().id;
  transferId = (
    await t.request('POST', '/v1/transfers', {
      token: owner.token,
      key: randomUUID(),
      body: { to: friend.email, amount: 100, currency: 'USD' },
    })
  ).json().id;
});
after(() => t.close());

const routes = (): [string, string, unknown?][] => [
  ['GET', '/v1/me'],
  ['GET', `/v1/wallets/${owner.walletId}`],
  ['GET', `/v1/wallets/${owner.walletId}/transactions`],
  ['POST', '/v1/transfers', { to: stranger.email, amount: 1, currency: 'USD' }],
  ['GET', `/v1/transfers/${transferId}`],
  ['POST', '/v1/payments', { merchant: merchant.id, amount: 1, currency: 'USD' }],
  ['GET', `/v1/payments/${paymentId}`],
  ['GET', '/v1/payments'],
  ['POST', `/v1/payments/${heldId}/capture`, {}],
  ['POST', `/v1/payments/${heldId}/cancel`],
  ['POST', '/v1/refunds', { payment: paymentId }],
  ['POST', '/v1/merchants', { name: 'x', category: 'y', currency: 'USD' }],
  ['POST', '/v1/admin/funding', { wallet: owner.walletId, amount: 1, currency: 'USD' }],
  ['GET', '/v1/admin/ledger/verify'],
  ['POST', '/v1/admin/ledger/transfers', { transfers: [] }],
  ['DELETE', '/v1/sessions/current'],
];

describe('authentication', () => {
  it('every protected route answers 401 without credentials, with a bad token, or a forged key', async () => {
    for (const token of [null, 'garbage', 'sk_test_forged', 'op_forged', `${owner.token}x`]) {
      for (const [method, url, body] of routes()) {
        const res = await t.request(method, url, {
          token,
          key: randomUUID(),
          ...(body === undefined ? {} : { body }),
        });
        assert.equal(res.statusCode, 401, `${method} ${url} with ${token}: ${res.body}`);
        assert.equal(res.json().error.type, 'authentication_error');
      }
    }
  });

  it('refuses a token signed with another secret and an unsigned (alg none) token', async () => {
    const [header, payload] = owner.token.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    for (const token of [
      none,
      `${header}.${payload}.${Buffer.from('x'.repeat(32)).toString('base64url')}`,
    ]) {
      const res = await t.request('GET', '/v1/me', { token });
      assert.equal(res.statusCode, 401);
    }
  });
});

describe("ownership: another caller's object is 404, never 403 or data", () => {
  it("a stranger cannot see or use the owner's wallet, transfer or payments", async () => {
    for (const [method, url, body] of [
      ['GET', `/v1/wallets/${owner.walletId}`],
      ['GET', `/v1/wallets/${owner.walletId}/transactions`],
      ['GET', `/v1/transfers/${transferId}`],
      ['GET', `/v1/payments/${paymentId}`],
      ['POST', `/v1/payments/${heldId}/cancel`],
    ] as [string, string, unknown?][]) {
      const res = await t.request(method, url, {
        token: stranger.token,
        key: randomUUID(),
        ...(body === undefined ? {} : { body }),
      });
      assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
    }
  });

  it('another merchant cannot see, capture, cancel or refund the payment', async () => {
    for (const [method, url, body] of [
      ['GET', `/v1/payments/${paymentId}`],
      ['POST', `/v1/payments/${heldId}/capture`, {}],
      ['POST', `/v1/payments/${heldId}/cancel`],
      ['POST', '/v1/refunds', { payment: paymentId }],
    ] as [string, string, unknown?][]) {
      const res = await t.request(method, url, {
        token: otherMerchant.secretKey,
        key: randomUUID(),
        ...(body === undefined ? {} : { body }),
      });
      assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
    }
    const held = (
      await t.request('GET', `/v1/payments/${heldId}`, { token: merchant.secretKey })
    ).json();
    assert.equal(held.status, 'requires_capture');
  });

  it('users cannot act as merchants or operators, merchants cannot act as operators', async () => {
    for (const [token, method, url, body] of [
      [owner.token, 'POST', `/v1/payments/${heldId}/capture`, {}],
      [owner.token, 'POST', '/v1/refunds', { payment: paymentId }],
      [
        owner.token,
        'POST',
        '/v1/admin/funding',
        { wallet: owner.walletId, amount: 1, currency: 'USD' },
      ],
      [
        merchant.secretKey,
        'POST',
        '/v1/admin/funding',
        { wallet: owner.walletId, amount: 1, currency: 'USD' },
      ],
      [merchant.secretKey, 'POST', '/v1/merchants', { name: 'x', category: 'y', currency: 'USD' }],
      [
        merchant.secretKey,
        'POST',
        '/v1/transfers',
        { to: owner.email, amount: 1, currency: 'USD' },
      ],
      [t.operatorKey, 'POST', '/v1/transfers', { to: owner.email, amount: 1, currency: 'USD' }],
    ] as [string, string, string, unknown][]) {
      const res = await t.request(method, url, { token, key: randomUUID(), body });
      assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
      assert.equal(res.json().error.type, 'authorization_error');
    }
    assert.equal((await t.balance(owner.token, owner.walletId)).balance, 8_900);
  });
});
