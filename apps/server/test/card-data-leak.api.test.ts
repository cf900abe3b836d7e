import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { leakForms } from './support/card-leaks.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

const logLines: string[] = [];
let t: TestSystem;
before(async () => {
  t = await startTestSystem({ logLines });
});
after(() => t.close());

const planted = ['4242424242424242', '4000000000000002', '5555555555554444', '378282246310005'];

/** Every row of every table in the schema, as text. */
async function everyTable(): Promise<string> {
  const tables = await t.system.db.query<{ table_name: string }>(
    "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
  );
  const parts: string[] = [];
  for (const { table_name: table } of tables) {
    const rows = await t.system.db.query<{ row: string }>(
      `select row_to_json(x)::text as row from "${table}" x`,
    );
    parts.push(...rows.map((r) => `${table}: ${r.row}`));
  }
  return parts.join('\n');
}

describe('card data never leaks outside the vault', () => {
  it('numbers planted through every text input appear nowhere: tables, logs, error bodies', async () => {
    const bodies: string[] = [];
    const call = async (
      method: string,
      url: string,
      token: string | null,
      body?: unknown,
      key?: string,
    ) => {
      const res = await t.request(method, url, {
        token,
        ...(body === undefined ? {} : { body }),
        ...(key === undefined ? {} : { key }),
      });
      bodies.push(res.body);
      return res;
    };
    const spaced = (d: string) => (d.match(/.{1,4}/g) ?? []).join(' ');
    const [visa, declined, master, amex] = planted as [string, string, string, string];

    const signUp = await call('POST', '/v1/users', null, {
      email: `card-${randomUUID().replace(/[0-9-]/g, '')}@kassa.test`,
      password: 'long enough password',
      name: `Card ${visa}`,
    });
    assert.equal(signUp.statusCode, 201, signUp.body);
    const email = signUp.json().email as string;
    const wallet = signUp.json().wallets[0].id as string;
    const token = (
      await call('POST', '/v1/sessions', null, { email, password: 'long enough password' })
    ).json().access_token as string;
    const bob = await t.signUp();
    await t.fund(wallet, 100_000);
    const merchant = await call('POST', '/v1/merchants', t.operatorKey, {
      name: `Shop ${spaced(master)}`,
      category: `cat-${amex}`,
      currency: 'USD',
    });
    const merchantId = merchant.json().id as string;
    const secretKey = merchant.json().secret_key as string;

    await call(
      'POST',
      '/v1/transfers',
      token,
      { to: bob.email, amount: 100, currency: 'USD', description: `rent ${visa}` },
      `key-${declined}`,
    );
    await call(
      'POST',
      '/v1/transfers',
      token,
      {
        to: bob.email,
        amount: 100,
        currency: 'USD',
        description: Buffer.from(visa).toString('base64'),
      },
      randomUUID(),
    );
    await call(
      'POST',
      '/v1/transfers',
      token,
      {
        to: bob.email,
        amount: 100,
        currency: 'USD',
        description: Buffer.from(master).toString('hex'),
      },
      randomUUID(),
    );
    const payment = await call(
      'POST',
      '/v1/payments',
      token,
      {
        merchant: merchantId,
        amount: 1_000,
        currency: 'USD',
        description: `order ${master.replace(/(.{4})/g, '$1-').slice(0, -1)}`,
      },
      randomUUID(),
    );
    await call(
      'POST',
      '/v1/refunds',
      secretKey,
      { payment: payment.json().id, amount: 100, reason: `card ${amex}` },
      randomUUID(),
    );
    await call('POST', '/v1/payment_methods', token, {
      card: { number: visa, exp_month: 12, exp_year: 2030, cvc: '123' },
    });
    await call('POST', '/v1/payment_methods', token, {
      card: { number: `${visa.slice(0, -1)}1`, exp_month: 12, exp_year: 2030, cvc: '123' },
    });
    const unknownField = await call(
      'POST',
      '/v1/transfers',
      token,
      { to: bob.email, amount: 1, currency: 'USD', [visa]: true },
      randomUUID(),
    );
    assert.equal(unknownField.statusCode, 400);
    const cardRecipient = await call(
      'POST',
      '/v1/transfers',
      token,
      { to: `${declined}@kassa.test`, amount: 1, currency: 'USD' },
      randomUUID(),
    );
    assert.equal(cardRecipient.statusCode, 400);
    await call('POST', '/v1/admin/ledger/accounts', t.operatorKey, {
      currency: 'USD',
      code: `acct ${visa}`,
    });
    const cardEmail = await call('POST', '/v1/sessions', null, {
      email: `${visa}@kassa.test`,
      password: 'wrong wrong wrong',
    });
    assert.equal(
      cardEmail.statusCode,
      400,
      'an identifier holding a card number is refused, not rewritten',
    );
    assert.equal(cardEmail.json().error.param, 'email');
    await call('GET', `/v1/wallets/${wallet}/transactions?starting_after=${visa}`, token);

    const haystacks = {
      tables: await everyTable(),
      logs: logLines.join('\n'),
      bodies: bodies.join('\n'),
    };
    assert.ok(
      haystacks.logs.length > 0 && haystacks.tables.includes('rent 424242******4242'),
      'the scan sees the data it should',
    );
    for (const [where, text] of Object.entries(haystacks)) {
      for (const digits of planted) {
        for (const form of leakForms(digits))
          assert.ok(!text.includes(form), `${where} holds ${digits} as "${form}"`);
      }
    }
  });
});
