import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeId } from '../src/kernel/ids.ts';
import { verifyAuditLog } from '../src/modules/audit/index.ts';
import { awayFromTotpStepEdge } from './support/totp-timing.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

const password = 'correct horse battery';

/** An independent TOTP generator (Python's hmac), as an authenticator app would compute it. */
function authenticatorCode(secretBase32: string, offsetSteps = 0): string {
  const script = `
import base64, hashlib, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1] + '=' * (-len(sys.argv[1]) % 8))
counter = int(time.time()) // 30 + int(sys.argv[2])
mac = hmac.new(key, struct.pack('>Q', counter), hashlib.sha1).digest()
o = mac[-1] & 15
print('%06d' % ((struct.unpack('>I', mac[o:o + 4])[0] & 0x7fffffff) % 1000000))`;
  return execFileSync('python3', ['-c', script, secretBase32, String(offsetSteps)], {
    encoding: 'utf8',
  }).trim();
}

async function enrol(user: { token: string }) {
  await awayFromTotpStepEdge();
  const started = await t.request('POST', '/v1/2fa/totp', {
    token: user.token,
    body: { password },
  });
  assert.equal(started.statusCode, 201, started.body);
  const { secret, otpauth_uri } = started.json();
  assert.match(
    otpauth_uri,
    /^otpauth:\/\/totp\/Kassa%3A.*secret=[A-Z2-7]+&issuer=Kassa&algorithm=SHA1&digits=6&period=30$/,
  );
  const confirmed = await t.request('POST', '/v1/2fa/totp/confirm', {
    token: user.token,
    body: { code: authenticatorCode(secret, -1) },
  });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  assert.equal(confirmed.json().recovery_codes.length, 10);
  return { secret: secret as string, recoveryCodes: confirmed.json().recovery_codes as string[] };
}

async function passwordStep(email: string) {
  return t.request('POST', '/v1/sessions', { body: { email, password } });
}

describe('TOTP two-factor authentication', () => {
  it('enrols with codes from an independent generator; log-in then needs a code, which works once', async () => {
    const user = await t.signUp();
    const { secret } = await enrol(user);
    const first = await passwordStep(user.email);
    assert.equal(first.statusCode, 200);
    assert.equal(first.json().requires_2fa, true);
    assert.equal(first.json().access_token, undefined, 'no tokens before the second factor');
    const code = authenticatorCode(secret);
    const done = await t.request('POST', '/v1/sessions/2fa', {
      body: { challenge_id: first.json().challenge_id, code },
    });
    assert.equal(done.statusCode, 201, done.body);
    assert.ok(done.json().access_token);
    // The same code again, on a fresh challenge: refused (replay protection).
    const second = await passwordStep(user.email);
    const replay = await t.request('POST', '/v1/sessions/2fa', {
      body: { challenge_id: second.json().challenge_id, code },
    });
    assert.equal(replay.statusCode, 401);
    assert.equal(replay.json().error.code, 'invalid_2fa_code');
    // A used challenge cannot be used again.
    const reused = await t.request('POST', '/v1/sessions/2fa', {
      body: { challenge_id: first.json().challenge_id, code: authenticatorCode(secret, 1) },
    });
    assert.equal(reused.json().error.code, 'invalid_challenge');
  });

  it('a recovery code works once', async () => {
    const user = await t.signUp();
    const { recoveryCodes } = await enrol(user);
    const challenge = (await passwordStep(user.email)).json().challenge_id;
    const ok = await t.request('POST', '/v1/sessions/2fa', {
      body: { challenge_id: challenge, code: recoveryCodes[0] },
    });
    assert.equal(ok.statusCode, 201, ok.body);
    const again = await t.request('POST', '/v1/sessions/2fa', {
      body: {
        challenge_id: (await passwordStep(user.email)).json().challenge_id,
        code: recoveryCodes[0],
      },
    });
    assert.equal(again.statusCode, 401);
  });

  it('turning 2FA off needs the password and a valid code', async () => {
    const user = await t.signUp();
    const { secret } = await enrol(user);
    const wrongPassword = await t.request('DELETE', '/v1/2fa/totp', {
      token: user.token,
      body: { password: 'not my password', code: authenticatorCode(secret) },
    });
    assert.equal(wrongPassword.statusCode, 401);
    const wrongCode = await t.request('DELETE', '/v1/2fa/totp', {
      token: user.token,
      body: { password, code: '000000' },
    });
    assert.equal(wrongCode.statusCode, 401);
    const off = await t.request('DELETE', '/v1/2fa/totp', {
      token: user.token,
      body: { password, code: authenticatorCode(secret) },
    });
    assert.equal(off.statusCode, 200, off.body);
    const login = await passwordStep(user.email);
    assert.equal(login.statusCode, 201, 'no challenge once 2FA is off');
  });

  it('brute-forcing the code locks the account for 30 minutes, even for the right code, and is audited', async () => {
    const user = await t.signUp();
    const { secret } = await enrol(user);
    const challenge = (await passwordStep(user.email)).json().challenge_id;
    for (let i = 0; i < 10; i += 1) {
      const res = await t.request('POST', '/v1/sessions/2fa', {
        body: { challenge_id: challenge, code: String(100000 + i) },
      });
      assert.equal(res.statusCode, 401);
    }
    const locked = await t.request('POST', '/v1/sessions/2fa', {
      body: { challenge_id: challenge, code: authenticatorCode(secret) },
    });
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().error.code, 'too_many_attempts');
    assert.ok(Number(locked.headers['retry-after']) > 29 * 60);
    const audit = await t.system.db.query<{ n: string }>(
      "select count(*)::text as n from audit_log where action = 'login.2fa' and outcome = 'failure' and details ? 'locked_until'",
    );
    assert.equal(audit[0]?.n, '1');
  });
});

describe('lockout and credential stuffing', () => {
  it('10 wrong passwords lock the email, known or not, and the lock survives a restart', async () => {
    const user = await t.signUp();
    for (const email of [user.email, 'no-such-user@kassa.test']) {
      for (let i = 0; i < 10; i += 1) {
        const res = await t.request('POST', '/v1/sessions', {
          body: { email, password: `wrong password ${i}` },
        });
        assert.equal(res.statusCode, 401);
      }
      const locked = await t.request('POST', '/v1/sessions', {
        body: { email, password: email === user.email ? password : 'x'.repeat(12) },
      });
      assert.equal(locked.statusCode, 429, `${email}: ${locked.body}`);
    }
    // A second system on the same database (a restart, or another API node) sees the lock.
    const other = await t.sibling();
    try {
      const res = await other.app.inject({
        method: 'POST',
        url: '/v1/sessions',
        payload: { email: user.email, password },
      });
      assert.equal(res.statusCode, 429);
    } finally {
      await other.close();
    }
  });

  it('credential stuffing across 50 accounts: no success, every attempt audited', async () => {
    const users = [];
    for (let i = 0; i < 50; i += 10)
      users.push(...(await Promise.all(Array.from({ length: 10 }, () => t.signUp()))));
    // Waves of 10 at a time: a stuffing bot's pace, and within what one test pool should serve.
    const results = [];
    for (let i = 0; i < users.length; i += 10) {
      results.push(
        ...(await Promise.all(
          users.slice(i, i + 10).map((u) =>
            t.request('POST', '/v1/sessions', {
              body: { email: u.email, password: 'Summer2026!leaked' },
            }),
          ),
        )),
      );
    }
    assert.ok(
      results.every((r) => r.statusCode === 401),
      results.map((r) => r.statusCode).join(','),
    );
    const audited = await t.system.db.query<{ n: string }>(
      "select count(distinct actor)::text as n from audit_log where action = 'login' and outcome = 'failure' and actor = any($1)",
      [users.map((u) => `email:${u.email.toLowerCase()}`)],
    );
    assert.equal(audited[0]?.n, '50');
  });
});

describe('no user enumeration', () => {
  /** Everything a caller can see of a response, with the values that differ per call blanked. */
  function observable(res: { statusCode: number; headers: Record<string, unknown>; body: string }) {
    const headers = Object.keys(res.headers)
      .filter((h) => !['date', 'x-request-id', 'content-length'].includes(h))
      .sort();
    const body = res.body
      .replace(/"(usr|wal|req)_[^"]+"/g, '"$1_…"')
      .replace(/"created_at":"[^"]+"/g, '"created_at":"…"');
    return { status: res.statusCode, headers, body };
  }

  it('signing up with a taken email answers like a new account, stores nothing, and is audited for the owner', async () => {
    const owner = await t.signUp();
    const usersBefore = await t.system.db.query<{ n: string }>(
      'select count(*)::text as n from users',
    );
    const taken = await t.request('POST', '/v1/users', {
      body: { email: owner.email.toUpperCase(), password: 'another password', name: 'Test User' },
    });
    const fresh = await t.request('POST', '/v1/users', {
      body: {
        email: owner.email.replace('@', 'x@'),
        password: 'another password',
        name: 'Test User',
      },
    });
    assert.equal(taken.statusCode, 201, taken.body);
    assert.deepEqual(
      observable(taken),
      observable({
        ...fresh,
        body: fresh.body.replace(owner.email.replace('@', 'x@'), owner.email.toUpperCase()),
      }),
    );
    const usersAfter = await t.system.db.query<{ n: string }>(
      'select count(*)::text as n from users',
    );
    assert.equal(
      Number(usersAfter[0]?.n),
      Number(usersBefore[0]?.n) + 1,
      'only the fresh sign-up is stored',
    );
    // The decoy leads nowhere: its password does not log in, the owner's still does.
    const decoyLogin = await t.request('POST', '/v1/sessions', {
      body: { email: owner.email, password: 'another password' },
    });
    assert.equal(decoyLogin.statusCode, 401);
    assert.equal((await passwordStep(owner.email)).statusCode, 201);
    const audited = await t.system.db.query<{ outcome: string }>(
      "select outcome from audit_log where action = 'signup.existing_email' and object = $1",
      [`user:${decodeId('usr', owner.userId) ?? ''}`],
    );
    assert.equal(audited.length, 1, 'the attempt is audited against the real account');
  });

  it('a wrong password and an unknown email fail with the same answer', async () => {
    const user = await t.signUp();
    const wrong = await t.request('POST', '/v1/sessions', {
      body: { email: user.email, password: 'not the password' },
    });
    const unknown = await t.request('POST', '/v1/sessions', {
      body: { email: user.email.replace('@', 'y@'), password: 'not the password' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(observable(wrong), observable(unknown));
  });
});

describe('sessions and the audit log', () => {
  it('a logout on one API process is refused by another within a second', async () => {
    const other = await t.sibling();
    try {
      const user = await t.signUp();
      const me = () =>
        other.app.inject({
          method: 'GET',
          url: '/v1/me',
          headers: { authorization: `Bearer ${user.token}` },
        });
      assert.equal((await me()).statusCode, 200);
      assert.equal(
        (await t.request('DELETE', '/v1/sessions/current', { token: user.token })).statusCode,
        204,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      assert.equal((await me()).statusCode, 401);
    } finally {
      await other.close();
    }
  });

  it('an access token is refused after logout', async () => {
    const user = await t.signUp();
    assert.equal((await t.request('GET', '/v1/me', { token: user.token })).statusCode, 200);
    assert.equal(
      (await t.request('DELETE', '/v1/sessions/current', { token: user.token })).statusCode,
      204,
    );
    assert.equal((await t.request('GET', '/v1/me', { token: user.token })).statusCode, 401);
  });

  it('operator actions and refunds are audited; `kassa audit verify` accepts the intact chain', async () => {
    const payer = await t.signUp();
    await t.fund(payer.walletId, 5_000);
    const merchant = await t.createMerchant();
    const payment = (
      await t.request('POST', '/v1/payments', {
        token: payer.token,
        key: randomUUID(),
        body: { merchant: merchant.id, amount: 1_000, currency: 'USD' },
      })
    ).json();
    const refund = await t.request('POST', '/v1/refunds', {
      token: merchant.secretKey,
      key: randomUUID(),
      body: { payment: payment.id },
    });
    assert.equal(refund.statusCode, 201);
    const actions = await t.system.db.query<{ action: string; actor: string }>(
      "select action, actor from audit_log where action in ('merchant.created', 'wallet.funded', 'refund.created') order by seq",
    );
    assert.ok(actions.some((a) => a.action === 'merchant.created' && a.actor === 'operator'));
    assert.ok(actions.some((a) => a.action === 'wallet.funded' && a.actor === 'operator'));
    assert.ok(
      actions.some((a) => a.action === 'refund.created' && a.actor.startsWith('merchant:')),
    );
    const env = {
      ...process.env,
      DATABASE_URL: t.databaseUrl,
      KASSA_TOKEN_SECRET: t.tokenSecret,
      KASSA_OPERATOR_KEY: t.operatorKey,
      KASSA_DATA_DIR: `/tmp/kassa-cli-${randomUUID()}`,
    };
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'apps/server/src/main/cli.ts', 'audit', 'verify'],
      { cwd: join(import.meta.dirname, '..', '..', '..'), env, encoding: 'utf8' },
    );
    assert.match(out, /audit log OK/);
  });

  it('the audit log is hash-chained: intact as written, broken by any edited row', async () => {
    const before = await verifyAuditLog(t.system.db.pool);
    assert.equal(before.intact, true);
    assert.ok(before.entries_checked > 10);
    await t.system.db.query('alter table audit_log disable trigger audit_log_no_update_delete');
    await t.system.db.query("update audit_log set actor = actor || '-tampered' where seq = 5");
    await t.system.db.query('alter table audit_log enable trigger audit_log_no_update_delete');
    const after = await verifyAuditLog(t.system.db.pool);
    assert.equal(after.intact, false);
    assert.equal(after.first_broken_seq, '5');
    await assert.rejects(t.system.db.query('delete from audit_log where seq = 1'), /append-only/);
  });
});

describe('password change and signing-key rotation', () => {
  it('changing the password needs the current one and revokes every session', async () => {
    const user = await t.signUp();
    const other = (await passwordStep(user.email)).json();
    const wrong = await t.request('POST', '/v1/me/password', {
      token: user.token,
      body: { current_password: 'not it at all', new_password: 'a brand new password' },
    });
    assert.equal(wrong.statusCode, 401);
    const changed = await t.request('POST', '/v1/me/password', {
      token: user.token,
      body: { current_password: password, new_password: 'a brand new password' },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().sessions_revoked, 2);
    assert.equal((await t.request('GET', '/v1/me', { token: user.token })).statusCode, 401);
    assert.equal((await t.request('GET', '/v1/me', { token: other.access_token })).statusCode, 401);
    assert.equal(
      (
        await t.request('POST', '/v1/sessions/refresh', {
          body: { refresh_token: other.refresh_token },
        })
      ).statusCode,
      401,
    );
    assert.equal(
      (await passwordStep(user.email)).statusCode,
      401,
      'the old password no longer works',
    );
    const fresh = await t.request('POST', '/v1/sessions', {
      body: { email: user.email, password: 'a brand new password' },
    });
    assert.equal(fresh.statusCode, 201);
  });

  it('a new signing secret keeps tokens of the previous one valid only while it is listed', async () => {
    const user = await t.signUp();
    const secret = 'a-brand-new-signing-secret-after-rotation';
    const build = (previous: string) =>
      t.sibling({ tokenSecret: secret, env: { KASSA_TOKEN_SECRETS_PREVIOUS: previous } });
    const rotated = await build(t.tokenSecret);
    const withoutOld = await build('');
    try {
      const me = await rotated.app.inject({
        method: 'GET',
        url: '/v1/me',
        headers: { authorization: `Bearer ${user.token}` },
      });
      assert.equal(me.statusCode, 200, 'old tokens still work during rotation');
      const refused = await withoutOld.app.inject({
        method: 'GET',
        url: '/v1/me',
        headers: { authorization: `Bearer ${user.token}` },
      });
      assert.equal(refused.statusCode, 401, 'a foreign key id is refused');
    } finally {
      await rotated.close();
      await withoutOld.close();
    }
  });
});
