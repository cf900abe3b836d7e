import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import {
  ErrorResponse,
  ListOf,
  Me,
  MerchantProfile,
  Payment,
  SessionTokens,
  Transfer,
  Wallet,
} from '@kassa/contracts';
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

/**
 * The documented response shapes (OpenAPI, the SDK's generated types) against real responses:
 * a field renamed, added without documentation or typed differently fails here.
 */
FormatRegistry.Set('date-time', (v) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v));

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

function conforms(schema: TSchema, body: unknown, label: string): void {
  const errors = [...Value.Errors(schema, body)].map((e) => `${e.path}: ${e.message}`);
  assert.deepEqual(errors, [], `${label}: ${JSON.stringify(body)}`);
  // Nothing undocumented either: the cleaned copy equals the original.
  assert.deepEqual(
    Value.Clean(schema, structuredClone(body)),
    body,
    `${label}: undocumented fields`,
  );
}

it('money-path responses match the shapes /openapi.json documents', async () => {
  const payer = await t.signUp();
  const friend = await t.signUp();
  await t.fund(payer.walletId, 50_000);
  const merchant = await t.createMerchant();

  const login = await t.request('POST', '/v1/sessions', {
    body: { email: payer.email, password: 'correct horse battery' },
  });
  conforms(SessionTokens, login.json(), 'log-in');
  conforms(Me, (await t.request('GET', '/v1/me', { token: payer.token })).json(), 'me');
  conforms(
    Wallet,
    (await t.request('GET', `/v1/wallets/${payer.walletId}`, { token: payer.token })).json(),
    'wallet',
  );
  const sent = await t.request('POST', '/v1/transfers', {
    token: payer.token,
    key: randomUUID(),
    body: { to: friend.email, amount: 1_000, currency: 'USD' },
  });
  conforms(Transfer, sent.json(), 'transfer');
  const paid = await t.request('POST', '/v1/payments', {
    token: payer.token,
    key: randomUUID(),
    body: { merchant: merchant.id, amount: 2_000, currency: 'USD' },
  });
  conforms(Payment, paid.json(), 'payment');
  conforms(
    ListOf(Payment),
    (await t.request('GET', '/v1/payments', { token: payer.token })).json(),
    'payment list',
  );
  conforms(
    MerchantProfile,
    (await t.request('GET', `/v1/merchants/${merchant.id}`, { token: payer.token })).json(),
    'merchant profile',
  );
  const declined = await t.request('POST', '/v1/transfers', {
    token: payer.token,
    key: randomUUID(),
    body: { to: friend.email, amount: 90_000, currency: 'USD' },
  });
  assert.equal(declined.statusCode, 402, declined.body);
  conforms(ErrorResponse, declined.json(), 'decline');
  conforms(ErrorResponse, (await t.request('GET', '/v1/me')).json(), 'no credentials');

  const spec = (await t.request('GET', '/openapi.json')).json<{
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  }>();
  const documented = spec.paths['/v1/transfers']?.['post']?.responses ?? {};
  assert.deepEqual(Object.keys(documented).sort(), ['2XX', '4XX', '5XX']);
});
