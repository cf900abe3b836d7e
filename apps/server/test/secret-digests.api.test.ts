import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { canonicalJson } from '../src/kernel/canonical-json.ts';
import { everyTable } from './support/every-table.ts';
import { password, startTestSystem, type TestSystem } from './support/test-system.ts';

const logLines: string[] = [];
let t: TestSystem;
before(async () => {
  t = await startTestSystem({ processor: true, logLines });
});
after(() => t.close());

/** Every unkeyed digest form of a text: SHA-256, SHA-1 and MD5, as hex and base64(url). */
function digestForms(text: string): string[] {
  return ['sha256', 'sha1', 'md5'].flatMap((algorithm) => {
    const digest = createHash(algorithm).update(text).digest();
    return [
      digest.toString('hex'),
      digest.toString('base64').toLowerCase(),
      digest.toString('base64url').toLowerCase(),
    ];
  });
}

describe('nothing derived from a secret can be brute-forced from storage (issue 11, high 1)', () => {
  it('card numbers, CVCs, bank accounts and passwords leave no unkeyed digest in any table or log', async () => {
    const planted: { route: string; body: Record<string, unknown>; secrets: string[] }[] = [];
    const send = async (
      method: string,
      route: string,
      body: Record<string, unknown>,
      secrets: string[],
      token: string | null,
    ) => {
      planted.push({ route: `${method} ${route}`, body, secrets });
      return t.request(method, route, { token, key: randomUUID(), body });
    };
    const email = `digests-${randomUUID().replace(/[0-9-]/g, '')}@kassa.test`;
    const newPassword = 'a second secret passphrase';
    await send('POST', '/v1/users', { email, password, name: 'Dee Gest' }, [password], null);
    const session = await send('POST', '/v1/sessions', { email, password }, [password], null);
    const token = session.json().access_token as string;
    const card = { number: '4242424242424242', exp_month: 12, exp_year: 2031, cvc: '737' };
    const saved = await send(
      'POST',
      '/v1/payment_methods',
      { card },
      [card.number, card.cvc, '4242 4242 4242 4242'],
      token,
    );
    assert.equal(saved.statusCode, 201, saved.body);
    const started = await send('POST', '/v1/2fa/totp', { password }, [password], token);
    assert.equal(started.statusCode, 201, started.body);
    const wallet = (await t.request('GET', '/v1/me', { token })).json().wallets[0].id as string;
    await t.fund(wallet, 50_000);
    // Digits without runs: float noise in log lines (0.110000000x) once matched a routing number of zeros.
    const bank = { country: 'US', account_number: '7391458620', routing_number: '026009593' };
    const payout = await send(
      'POST',
      '/v1/payouts',
      { amount: 1_000, currency: 'USD', bank_account: bank },
      [bank.account_number, bank.routing_number],
      token,
    );
    assert.ok(payout.statusCode < 300, payout.body);
    const changed = await send(
      'POST',
      '/v1/me/password',
      { current_password: password, new_password: newPassword },
      [password, newPassword],
      token,
    );
    assert.equal(changed.statusCode, 200, changed.body);

    const haystacks = {
      tables: (await everyTable(t.system.db.pool)).toLowerCase(),
      logs: logLines.join('\n').toLowerCase(),
    };
    assert.ok(haystacks.tables.includes('idempotency_keys'), 'the scan sees the stored keys');
    for (const { route, body, secrets } of planted) {
      // What an unkeyed fingerprint could have been made of: the body as sent, canonical, with
      // the route (the old formula), and each secret alone.
      const texts = [
        JSON.stringify(body),
        canonicalJson(body),
        canonicalJson({ params: {}, body }),
        `${route}\n${canonicalJson({ params: {}, body })}`,
        ...secrets,
      ];
      for (const text of texts)
        for (const form of digestForms(text))
          for (const [where, haystack] of Object.entries(haystacks))
            assert.ok(!haystack.includes(form), `${where} holds a digest of ${route}: ${form}`);
      // Short secrets (a CVC) turn up by chance in ids and hashes; long ones must not at all.
      for (const secret of secrets.filter((s) => s.length >= 9))
        for (const [where, haystack] of Object.entries(haystacks))
          assert.ok(!haystack.includes(secret.toLowerCase()), `${where} holds ${secret} as sent`);
    }
  });

  it('a retry is still recognised (keyed fingerprints), and another card under the same key is 422', async () => {
    const user = await t.signUp();
    const key = randomUUID();
    const save = (number: string) =>
      t.request('POST', '/v1/payment_methods', {
        token: user.token,
        key,
        body: { card: { number, exp_month: 12, exp_year: 2031, cvc: '123' } },
      });
    const first = await save('4242424242424242');
    assert.equal(first.statusCode, 201, first.body);
    const again = await save('4242 4242 4242 4242');
    assert.equal(again.statusCode, 201);
    assert.equal(
      again.headers['idempotent-replayed'],
      'true',
      'the same card, written differently',
    );
    const other = await save('5555555555554444');
    assert.equal(other.statusCode, 422, other.body);
    assert.equal(other.json().error.code, 'idempotency_key_reused');
  });

  it('a key stored before keyed fingerprints (purged by migration 0013) replays its answer', async () => {
    const user = await t.signUp();
    const bob = await t.signUp();
    await t.fund(user.walletId, 1_000);
    const key = randomUUID();
    const body = { to: bob.email, amount: 100, currency: 'USD' };
    const first = await t.request('POST', '/v1/transfers', { token: user.token, key, body });
    assert.equal(first.statusCode, 201);
    await t.system.db.query("update idempotency_keys set request_sha256 = '\\x' where key = $1", [
      key,
    ]);
    const retry = await t.request('POST', '/v1/transfers', { token: user.token, key, body });
    assert.equal(retry.statusCode, 201, retry.body);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 100, 'moved once');
  });
});
