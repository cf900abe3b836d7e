import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
let alice: Awaited<ReturnType<TestSystem['signUp']>>;
let bob: Awaited<ReturnType<TestSystem['signUp']>>;
let merchant: { id: string; secretKey: string };
let paymentId: string;

before(async () => {
  t = await startTestSystem();
  alice = await t.signUp();
  bob = await t.signUp();
  await t.fund(alice.walletId, 50_000);
  merchant = await t.createMerchant();
  paymentId = (
    await t.request('POST', '/v1/payments', {
      token: alice.token,
      key: randomUUID(),
      body: { merchant: merchant.id, amount: 5_000, currency: 'USD' },
    })
  ).json().id;
});
after(() => t.close());

async function snapshot() {
  const [a, b, verify, keys] = await Promise.all([
    t.balance(alice.token, alice.walletId),
    t.balance(bob.token, bob.walletId),
    t.request('GET', '/v1/admin/ledger/verify', { token: t.operatorKey }),
    t.system.db.query<{ n: string }>('select count(*)::text as n from idempotency_keys'),
  ]);
  return {
    a,
    b,
    transfers: verify.json().transfers_checked,
    balanced: verify.json().balanced,
    keys: keys[0]?.n,
  };
}

const badAmounts: [string, unknown][] = [
  ['zero', 0],
  ['negative', -1],
  ['fractional', 10.5],
  ['above 2^53-1', 9007199254740992],
  ['huge', 1e300],
  ['a string', '100'],
  ['null', null],
  ['a boolean', true],
  ['an object', { value: 1 }],
  ['an array', [1]],
];
const badCurrencies: [string, unknown][] = [
  ['lower case', 'usd'],
  ['unknown', 'XXX'],
  ['too short', 'US'],
  ['a number', 840],
  ['empty', ''],
];

describe('bad input is refused with a clear 4xx and changes nothing', () => {
  const cases = (): [string, string, string, unknown, string][] => [
    ...badAmounts.map(([label, amount]): [string, string, string, unknown, string] => [
      `transfer amount ${label}`,
      'POST',
      '/v1/transfers',
      { to: bob.email, amount, currency: 'USD' },
      'invalid_amount',
    ]),
    ...badAmounts.map(([label, amount]): [string, string, string, unknown, string] => [
      `payment amount ${label}`,
      'POST',
      '/v1/payments',
      { merchant: merchant.id, amount, currency: 'USD' },
      'invalid_amount',
    ]),
    ...badCurrencies.map(([label, currency]): [string, string, string, unknown, string] => [
      `currency ${label}`,
      'POST',
      '/v1/transfers',
      { to: bob.email, amount: 1, currency },
      label === 'unknown'
        ? 'invalid_currency'
        : label === 'a number'
          ? 'invalid_request'
          : 'invalid_currency',
    ]),
    [
      'currency mismatch with the wallet',
      'POST',
      '/v1/transfers',
      { to: bob.email, amount: 1, currency: 'EUR' },
      'currency_mismatch',
    ],
    [
      'currency mismatch with the recipient wallet',
      'POST',
      '/v1/transfers',
      { to: bob.walletId, amount: 1, currency: 'EUR' },
      'currency_mismatch',
    ],
    [
      'unknown field balance',
      'POST',
      '/v1/transfers',
      { to: bob.email, amount: 1, currency: 'USD', balance: 1_000_000 },
      'unknown_field',
    ],
    [
      'unknown field status',
      'POST',
      '/v1/payments',
      { merchant: merchant.id, amount: 1, currency: 'USD', status: 'succeeded' },
      'unknown_field',
    ],
    [
      'unknown field fee',
      'POST',
      '/v1/payments',
      { merchant: merchant.id, amount: 1, currency: 'USD', fee: 0 },
      'unknown_field',
    ],
    [
      'unknown field user_id',
      'POST',
      '/v1/transfers',
      { to: bob.email, amount: 1, currency: 'USD', user_id: bob.userId },
      'unknown_field',
    ],
    [
      'missing amount',
      'POST',
      '/v1/transfers',
      { to: bob.email, currency: 'USD' },
      'invalid_request',
    ],
    [
      'a merchant id of the wrong type',
      'POST',
      '/v1/payments',
      { merchant: bob.userId, amount: 1, currency: 'USD' },
      'invalid_request',
    ],
    [
      'an unknown merchant',
      'POST',
      '/v1/payments',
      { merchant: 'mer_01m853pm75e008zb6sf4xyc5xw', amount: 1, currency: 'USD' },
      'resource_not_found',
    ],
    [
      'capture method not in the list',
      'POST',
      '/v1/payments',
      { merchant: merchant.id, amount: 1, currency: 'USD', capture: 'later' },
      'invalid_request',
    ],
    [
      'a description too long',
      'POST',
      '/v1/transfers',
      { to: bob.email, amount: 1, currency: 'USD', description: 'x'.repeat(501) },
      'invalid_request',
    ],
    ['an array body', 'POST', '/v1/transfers', [1, 2], 'invalid_request'],
    ['an unknown payment id', 'GET', '/v1/payments/pay_nonsense', undefined, 'resource_not_found'],
    [
      'a limit out of range',
      'GET',
      `/v1/wallets/${alice.walletId}/transactions?limit=0`,
      undefined,
      'invalid_request',
    ],
    [
      'a limit above 100',
      'GET',
      `/v1/wallets/${alice.walletId}/transactions?limit=101`,
      undefined,
      'invalid_request',
    ],
    [
      'an unknown query parameter',
      'GET',
      `/v1/wallets/${alice.walletId}/transactions?balance=1`,
      undefined,
      'unknown_field',
    ],
  ];

  it('for every case in the table', async () => {
    const before = await snapshot();
    for (const [label, method, url, body, code] of cases()) {
      const res = await t.request(method, url, {
        token: alice.token,
        key: randomUUID(),
        ...(body === undefined ? {} : { body }),
      });
      assert.ok(
        res.statusCode >= 400 && res.statusCode < 500,
        `${label}: ${res.statusCode} ${res.body}`,
      );
      const error = res.json().error;
      assert.equal(error.code, code, `${label}: ${res.body}`);
      assert.equal(error.money_moved, false, label);
      assert.ok(error.message.length > 10, label);
      assert.match(error.request_id, /^req_/);
      assert.equal(res.headers['request-id'], error.request_id);
    }
    assert.deepEqual(await snapshot(), before);
  });

  it('refunds and captures with bad amounts', async () => {
    const before = await snapshot();
    for (const [, amount] of badAmounts) {
      const refund = await t.request('POST', '/v1/refunds', {
        token: merchant.secretKey,
        key: randomUUID(),
        body: { payment: paymentId, amount },
      });
      assert.equal(refund.statusCode, 400, refund.body);
      const capture = await t.request('POST', `/v1/payments/${paymentId}/capture`, {
        token: merchant.secretKey,
        key: randomUUID(),
        body: { amount },
      });
      assert.equal(capture.statusCode, 400, capture.body);
    }
    assert.deepEqual(await snapshot(), before);
  });

  it('malformed JSON, prototype pollution, wrong media type, huge bodies', async () => {
    const before = await snapshot();
    const raw = async (payload: string, contentType = 'application/json') =>
      t.system.app.inject({
        method: 'POST',
        url: '/v1/transfers',
        payload,
        headers: {
          authorization: `Bearer ${alice.token}`,
          'idempotency-key': randomUUID(),
          'content-type': contentType,
        },
      });
    for (const [payload, status, code] of [
      ['{"to": "x", "amount": ', 400, 'invalid_json'],
      ['', 400, 'invalid_json'],
      [
        '{"__proto__": {"amount": 1}, "to": "a@b.c", "amount": 1, "currency": "USD"}',
        400,
        'invalid_json',
      ],
      [
        '{"constructor": {"prototype": {"x": 1}}, "to": "a@b.c", "amount": 1, "currency": "USD"}',
        400,
        'invalid_json',
      ],
      [
        `{"to": "a@b.c", "amount": 1, "currency": "USD", "description": "${'x'.repeat(2_000_000)}"}`,
        413,
        'body_too_large',
      ],
    ] as const) {
      const res = await raw(payload);
      assert.equal(res.statusCode, status, res.body.slice(0, 300));
      assert.equal(res.json().error.code, code);
    }
    const text = await raw('to=bob', 'text/plain');
    assert.equal(text.statusCode, 415);
    assert.equal(({} as Record<string, unknown>)['amount'], undefined, 'no prototype was polluted');
    assert.deepEqual(await snapshot(), before);
  });

  it('no request body, however strange, causes a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.record(
            {
              to: fc.oneof(fc.string(), fc.constant(bob.email)),
              amount: fc.oneof(fc.integer(), fc.double(), fc.string()),
              currency: fc.oneof(fc.constant('USD'), fc.string()),
            },
            { requiredKeys: [] },
          ),
        ),
        async (body) => {
          const res = await t.request('POST', '/v1/transfers', {
            token: alice.token,
            key: randomUUID(),
            body: body === undefined ? null : body,
          });
          assert.ok(
            res.statusCode < 500,
            `${JSON.stringify(body)} → ${res.statusCode} ${res.body}`,
          );
        },
      ),
      { numRuns: 150 },
    );
    const verify = (
      await t.request('GET', '/v1/admin/ledger/verify', { token: t.operatorKey })
    ).json();
    assert.equal(verify.balanced, true);
  });

  it('unknown routes and methods answer with the error object', async () => {
    const res = await t.request('GET', '/v1/nope', { token: alice.token });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'route_not_found');
  });
});
