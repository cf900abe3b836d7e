import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeId } from '../src/kernel/ids.ts';
import { leakForms } from './support/card-leaks.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const keyDir = mkdtempSync(join(tmpdir(), 'kassa-vault-'));
const keyFile = join(keyDir, 'vault-keys.json');
let t: TestSystem;

before(async () => {
  // A key file (not KASSA_VAULT_KEYS) so that rotation can add a key to it.
  t = await startTestSystem({ env: { KASSA_VAULT_KEY_FILE: keyFile, KASSA_VAULT_KEYS: '' } });
});
after(() => t.close());

const card = (number: string) => ({ card: { number, exp_month: 12, exp_year: 2031, cvc: '314' } });

async function tableText(): Promise<string> {
  const rows = await t.system.db.query<{ row: string }>(
    'select row_to_json(v)::text as row from vault_cards v',
  );
  const audit = await t.system.db.query<{ row: string }>(
    'select row_to_json(a)::text as row from audit_log a',
  );
  const keys = await t.system.db.query<{ row: string }>(
    'select row_to_json(k)::text as row from idempotency_keys k',
  );
  return [...rows, ...audit, ...keys].map((r) => r.row).join('\n');
}

describe('card vault', () => {
  it('tokenizes a card, shows only brand, BIN and last 4, and never stores the number or security code in clear', async () => {
    const user = await t.signUp();
    const res = await t.request('POST', '/v1/payment_methods', {
      token: user.token,
      key: randomUUID(),
      body: card('4242 4242 4242 4242'),
    });
    assert.equal(res.statusCode, 201, res.body);
    const pm = res.json();
    assert.match(pm.id, /^pm_/);
    assert.deepEqual(
      { ...pm.card, fingerprint: undefined },
      {
        brand: 'visa',
        bin: '424242',
        last4: '4242',
        exp_month: 12,
        exp_year: 2031,
        fingerprint: undefined,
      },
    );
    const text = await tableText();
    for (const form of leakForms('4242424242424242'))
      assert.ok(!text.includes(form), `leaked as ${form}`);
    assert.ok(!/"314"|cvc/i.test(text), 'the security code is not stored');
    assert.ok(!res.body.includes('4242424242424242'));
    const revealed = await t.system.vault.revealForProcessor(decodeId('pm', pm.id)!, 'test');
    assert.equal(
      revealed?.number,
      '4242424242424242',
      'the processor connector can still get the number',
    );
    const audited = await t.system.db.query(
      "select 1 from audit_log where action = 'vault.card_revealed' and object = $1 and details->>'reference' = 'test'",
      [pm.id],
    );
    assert.equal(audited.length, 1, 'every reveal is audited');
  });

  it('the same card twice is one payment method (keyed fingerprint); another user gets their own', async () => {
    const user = await t.signUp();
    const first = (
      await t.request('POST', '/v1/payment_methods', {
        token: user.token,
        body: card('5555555555554444'),
      })
    ).json();
    const again = await t.request('POST', '/v1/payment_methods', {
      token: user.token,
      body: card('5555-5555-5555-4444'),
    });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().id, first.id);
    const other = await t.signUp();
    const theirs = (
      await t.request('POST', '/v1/payment_methods', {
        token: other.token,
        body: card('5555555555554444'),
      })
    ).json();
    assert.notEqual(theirs.id, first.id);
    assert.equal(theirs.card.fingerprint, first.card.fingerprint);
  });

  it('refuses bad cards with a clear error that never echoes the number, and stores nothing', async () => {
    const user = await t.signUp();
    for (const [number, code] of [
      ['4242424242424241', 'invalid_card_number'],
      ['9999999999999995', 'unsupported_card_brand'],
    ]) {
      const res = await t.request('POST', '/v1/payment_methods', {
        token: user.token,
        body: card(number!),
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.code, code);
      assert.ok(!res.body.includes(number!));
    }
    const list = (await t.request('GET', '/v1/payment_methods', { token: user.token })).json();
    assert.equal(list.data.length, 0);
  });

  it('cards are private: another user cannot list or delete them; deletion destroys the key material', async () => {
    const owner = await t.signUp();
    const stranger = await t.signUp();
    const amexCard = {
      card: { number: '378282246310005', exp_month: 1, exp_year: 2030, cvc: '1234' },
    };
    const amex = (
      await t.request('POST', '/v1/payment_methods', { token: owner.token, body: amexCard })
    ).json();
    assert.equal(amex.card.brand, 'amex');
    assert.equal(
      (await t.request('GET', '/v1/payment_methods', { token: stranger.token })).json().data.length,
      0,
    );
    assert.equal(
      (await t.request('DELETE', `/v1/payment_methods/${amex.id}`, { token: stranger.token }))
        .statusCode,
      404,
    );
    assert.equal(
      (await t.request('DELETE', `/v1/payment_methods/${amex.id}`, { token: owner.token }))
        .statusCode,
      200,
    );
    assert.equal(await t.system.vault.revealForProcessor(decodeId('pm', amex.id)!, 'test'), null);
    const row = await t.system.db.query<{
      wrapped_data_key: Buffer | null;
      number_ciphertext: Buffer | null;
    }>('select wrapped_data_key, number_ciphertext from vault_cards where id = $1', [
      decodeId('pm', amex.id),
    ]);
    assert.deepEqual(row[0], { wrapped_data_key: null, number_ciphertext: null });
  });

  it('`kassa keys rotate` re-wraps every data key under a new key; cards stay readable, even without the old key', async () => {
    const user = await t.signUp();
    const numbers = [
      '4000000000000002',
      '4000000000009995',
      '4000000000003220',
      '4000000000000119',
      '6011111111111117',
    ];
    const ids: string[] = [];
    for (const number of numbers)
      ids.push(
        decodeId(
          'pm',
          (
            await t.request('POST', '/v1/payment_methods', {
              token: user.token,
              body: card(number),
            })
          ).json().id,
        )!,
      );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: t.databaseUrl,
      KASSA_TOKEN_SECRET: t.tokenSecret,
      KASSA_OPERATOR_KEY: t.operatorKey,
      KASSA_VAULT_KEY_FILE: keyFile,
      KASSA_DATA_DIR: keyDir,
    };
    delete env['KASSA_VAULT_KEYS'];
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'apps/server/src/main/cli.ts', 'keys', 'rotate'],
      { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    assert.match(out, /re-wrapped \d+ card keys and re-sealed \d+ secrets .* under v2/);
    const versions = await t.system.db.query<{ kek_version: string }>(
      'select distinct kek_version from vault_cards where deleted_at is null',
    );
    assert.deepEqual(
      versions.map((v) => v.kek_version),
      ['v2'],
    );
    // Drop the old key from the file: every card must still open.
    const file = JSON.parse(readFileSync(keyFile, 'utf8')) as { keks: Record<string, string> };
    delete file.keks['v1'];
    writeFileSync(keyFile, JSON.stringify(file));
    for (const [i, id] of ids.entries())
      assert.equal((await t.system.vault.revealForProcessor(id, 'test'))?.number, numbers[i]);
    // A wrong key (tampering) is detected by the authentication tag, not decrypted to garbage.
    file.keks['v2'] = randomBytes(32).toString('base64');
    writeFileSync(keyFile, JSON.stringify(file));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await assert.rejects(
      t.system.vault.revealForProcessor(ids[0]!, 'test'),
      /unable to authenticate|Unsupported state/,
    );
  });
});
