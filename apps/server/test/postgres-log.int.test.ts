import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, openSync, readSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

/** Where the machine's PostgreSQL 15 writes its log (Debian's pg_ctlcluster). */
const serverLog = '/var/log/postgresql/postgresql-15-main.log';

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

function readFrom(file: string, offset: number): string {
  const size = statSync(file).size;
  const buffer = Buffer.alloc(Math.max(0, size - offset));
  const fd = openSync(file, 'r');
  readSync(fd, buffer, 0, buffer.length, offset);
  return buffer.toString('utf8');
}

describe('request data never reaches PostgreSQL’s error log (issue 11, low)', () => {
  it('hostile and ordinary input through every route: the log holds none of it', async () => {
    assert.ok(existsSync(serverLog), `the test reads the machine's PostgreSQL log at ${serverLog}`);
    const before = statSync(serverLog).size;
    const marker = `zq${randomUUID().replace(/-/g, '')}`;
    const user = await t.signUp();
    const bob = await t.signUp();
    await t.fund(user.walletId, 1_000);
    const merchant = await t.createMerchant();
    const raw = (url: string, payload: string, token: string | null) =>
      t.system.app.inject({
        method: 'POST',
        url,
        payload,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': `${marker}-${randomUUID()}`,
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
      });
    const attempts = [
      raw(
        '/v1/transfers',
        `{"to":"${bob.email}","amount":1,"currency":"USD","description":"${marker}\\u0000"}`,
        user.token,
      ),
      raw('/v1/transfers', `{"to":"${marker}@kassa.test","amount":1,"currency":"USD"}`, user.token),
      raw('/v1/transfers', `{"to":"wal_${marker}","amount":1,"currency":"USD"}`, user.token),
      raw(
        '/v1/transfers',
        `{"to":"${bob.email}","amount":1e300,"currency":"USD","description":"${marker}"}`,
        user.token,
      ),
      raw(
        '/v1/payments',
        `{"merchant":"${merchant.id}","amount":100,"currency":"USD","description":"${marker}\\ud800"}`,
        user.token,
      ),
      raw('/v1/users', `{"email":"${user.email}","password":"${marker}","name":"${marker}"}`, null),
      raw('/v1/sessions', `{"email":"${marker}@kassa.test","password":"${marker}"}`, null),
      raw(
        '/v1/payment_methods',
        `{"card":{"number":"4242424242424242","exp_month":12,"exp_year":2031,"cvc":"1\\u0000"}}`,
        user.token,
      ),
      raw(
        '/v1/webhook_endpoints',
        `{"url":"https://${marker}.example/","events":["${marker}"]}`,
        merchant.secretKey,
      ),
      raw(`/v1/payments/pay_${marker}/capture`, '{}', merchant.secretKey),
      raw(
        '/v1/admin/ledger/accounts',
        `{"currency":"USD","code":"${marker}\\u0000"}`,
        t.operatorKey,
      ),
    ];
    const answers = await Promise.all(attempts);
    assert.ok(
      answers.every((a) => a.statusCode < 500),
      answers.map((a) => a.statusCode).join(','),
    );
    await t.request('GET', `/v1/wallets/${user.walletId}/transactions?starting_after=${marker}`, {
      token: user.token,
    });
    // Let PostgreSQL write what it would have written (a checkpoint-free round trip).
    await t.system.db.query('select 1');
    const written = readFrom(serverLog, before);
    assert.ok(!written.includes(marker), `the server log quotes request data:\n${written}`);
  });
});
