import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeId } from '../src/kernel/ids.ts';
import { hotp, totpStep } from '../src/modules/identity/domain/totp.ts';
import type { System } from '../src/main/system.ts';
import { awayFromTotpStepEdge } from './support/totp-timing.ts';
import { password, startTestSystem, type TestSystem } from './support/test-system.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const keyFile = join(mkdtempSync(join(tmpdir(), 'kassa-keys-')), 'vault-keys.json');
let t: TestSystem;
before(async () => {
  // A key file, as the README's rotation steps use (KASSA_VAULT_KEYS would be edited by hand).
  t = await startTestSystem({ env: { KASSA_VAULT_KEY_FILE: keyFile, KASSA_VAULT_KEYS: '' } });
});
after(() => t.close());

/** A value sealed the way Kassa sealed secrets before the keyring (under the token secret). */
function legacySeal(tokenSecret: string, label: string, plaintext: Buffer): Buffer {
  const key = Buffer.from(
    hkdfSync('sha256', Buffer.from(tokenSecret), Buffer.alloc(0), `kassa:${label}`, 32),
  );
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
}

/** Logs in with 2FA against `system`; returns the final status. */
async function logInWith2fa(system: System, email: string, code: string): Promise<number> {
  const first = await system.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    payload: { email, password },
  });
  assert.equal(first.statusCode, 200, first.body);
  const done = await system.app.inject({
    method: 'POST',
    url: '/v1/sessions/2fa',
    payload: { challenge_id: first.json().challenge_id, code },
  });
  if (done.statusCode !== 201) console.error(first.body, done.body, new Date().toISOString());
  return done.statusCode;
}

/** Every sealed secret opens with `system`'s keys, and none is left under an old key. */
async function everySecretOpens(system: System): Promise<number> {
  let opened = 0;
  for (const { table, column, box } of system.sealedColumns) {
    const rows = await system.db.query<{ sealed: Buffer }>(
      `select ${column} as sealed from ${table} where ${column} is not null`,
    );
    for (const row of rows) {
      box.open(row.sealed);
      assert.equal(box.stale(row.sealed), false, `${table}.${column} still under an old key`);
      opened += 1;
    }
  }
  return opened;
}

describe('rotating keys the README way keeps 2FA, cards, webhooks and payouts working (issue 11, medium 10)', () => {
  it('a new token secret, then `kassa keys rotate`, then the old key removed: nothing breaks', async () => {
    // Before: a user with 2FA on, a saved card, a webhook endpoint; and a user whose TOTP seed
    // was sealed the old way (under the token secret), as an upgraded installation has them.
    const user = await t.signUp();
    const { code, recoveryCodes } = await t.enrolTwoFactor(user);
    const pm = await t.addCard(user.token, '4242424242424242');
    const merchant = await t.createMerchant();
    const endpoint = await t.request('POST', '/v1/webhook_endpoints', {
      token: merchant.secretKey,
      body: { url: 'https://hooks.example/kassa', events: ['*'] },
    });
    assert.equal(endpoint.statusCode, 201, endpoint.body);
    const old = await t.signUp();
    await awayFromTotpStepEdge();
    const oldSeed = randomBytes(20);
    const [oldRow] = await t.system.db.query<{ id: string }>(
      'select id from users where email = $1',
      [old.email],
    );
    await t.system.db.query(
      "insert into user_totp (user_id, secret_ciphertext, status, enabled_at) values ($1, $2, 'enabled', now() - interval '2 days')",
      [oldRow!.id, legacySeal(t.tokenSecret, 'totp-secrets', oldSeed)],
    );
    const oldCode = (offset = 0) => hotp(oldSeed, totpStep(new Date()) + BigInt(offset));
    // …with a recovery code stored as a plain SHA-256 digest, as before keyed digests.
    const oldRecovery = 'abcde-fghij';
    await t.system.db.query(
      'insert into recovery_codes (id, user_id, code_sha256, keyed) values (gen_random_uuid(), $1, $2, false)',
      [oldRow!.id, createHash('sha256').update(oldRecovery).digest()],
    );

    // README step 1: a new KASSA_TOKEN_SECRET, the old one listed in KASSA_TOKEN_SECRETS_PREVIOUS.
    const newSecret = randomBytes(32).toString('base64url');
    const keysEnv = { KASSA_VAULT_KEY_FILE: keyFile, KASSA_VAULT_KEYS: '' };
    const rotated = await t.sibling({
      tokenSecret: newSecret,
      env: { ...keysEnv, KASSA_TOKEN_SECRETS_PREVIOUS: t.tokenSecret },
    });
    try {
      assert.equal(
        await logInWith2fa(rotated, user.email, code(0)),
        201,
        '2FA log-in after rotation',
      );
      assert.equal(await logInWith2fa(rotated, old.email, oldCode(0)), 201, 'old seeds still open');
      // The worker's first pass re-seals what was sealed under the token secret.
      await rotated.startWorker(3_600_000).runOnce();
    } finally {
      await rotated.close();
    }
    // Step 1, done: the old token secret is removed.
    const withoutOld = await t.sibling({ tokenSecret: newSecret, env: keysEnv });
    try {
      await awayFromTotpStepEdge();
      assert.equal(await logInWith2fa(withoutOld, user.email, code(1)), 201);
      assert.equal(await logInWith2fa(withoutOld, old.email, oldCode(1)), 201);
    } finally {
      await withoutOld.close();
    }

    // README step 2: `npm run kassa -- keys rotate`, then the old key-encryption key removed.
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'apps/server/src/main/cli.ts', 'keys', 'rotate'],
      {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...process.env,
          DATABASE_URL: t.databaseUrl,
          KASSA_TOKEN_SECRET: newSecret,
          KASSA_OPERATOR_KEY: t.operatorKey,
          KASSA_VAULT_KEY_FILE: keyFile,
          KASSA_DATA_DIR: mkdtempSync(join(tmpdir(), 'kassa-cli-')),
          LOG_LEVEL: 'silent',
        },
      },
    );
    assert.match(out, /re-wrapped 1 card keys and re-sealed \d+ secrets/);
    const file = JSON.parse(readFileSync(keyFile, 'utf8')) as {
      current: string;
      keks: Record<string, string>;
    };
    assert.equal(file.current, 'v2');
    delete file.keks['v1'];
    writeFileSync(keyFile, JSON.stringify(file));
    const after = await t.sibling({ tokenSecret: newSecret, env: keysEnv });
    try {
      await awayFromTotpStepEdge();
      // Codes of this 30-second step are used up: recovery codes show the rest works.
      assert.equal(
        await logInWith2fa(after, user.email, recoveryCodes[0]!),
        201,
        '2FA after key rotation',
      );
      assert.equal(await logInWith2fa(after, old.email, oldRecovery), 201, 'a re-keyed code');
      const card = await after.vault.revealForProcessor(decodeId('pm', pm) ?? '', 'test');
      assert.equal(card?.number, '4242424242424242', 'the card opens under the new key only');
      assert.equal(
        await everySecretOpens(after),
        3,
        'two TOTP seeds and a webhook secret, re-sealed',
      );
    } finally {
      await after.close();
    }
  });
});
