import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { password, startTestSystem, type TestSystem } from './support/test-system.ts';
import { runWorkerUntil } from './support/worker-until.ts';

let t: TestSystem;
before(async () => {
  // 100.00 USD per payment; factors are young for a day (the default cool-off).
  t = await startTestSystem({ env: { STEP_UP_LIMITS: 'USD=100/100000' } });
});
after(() => t.close());

/** The user's alerts, once the worker has turned the events into alerts. */
async function alerts(
  token: string,
  until: (feed: { type: string; title: string }[]) => boolean,
): Promise<{ type: string; title: string }[]> {
  let feed: { type: string; title: string }[] = [];
  await runWorkerUntil(
    t.system,
    async () => {
      feed = (await t.request('GET', '/v1/notifications', { token })).json().data;
      return until(feed);
    },
    'the alert arrives',
  );
  return feed;
}

describe('second-factor changes need more than a stolen access token (issue 11, high 2)', () => {
  it('enrolling needs the current password; a wrong one is refused, audited and counts toward lockout', async () => {
    const user = await t.signUp();
    const none = await t.request('POST', '/v1/2fa/totp', { token: user.token, body: {} });
    assert.equal(none.statusCode, 400, 'the password is required');
    const wrong = await t.request('POST', '/v1/2fa/totp', {
      token: user.token,
      body: { password: 'what a thief would guess' },
    });
    assert.equal(wrong.statusCode, 401, wrong.body);
    assert.equal(wrong.json().error.code, 'invalid_credentials');
    const pending = await t.system.db.query('select 1 from user_totp');
    assert.equal(pending.length, 0, 'nothing enrolled');
    const failures = await t.system.db.query<{ failures: number }>(
      'select failures from auth_failures where subject like $1',
      [`password:${user.email}|%`],
    );
    assert.equal(failures[0]?.failures, 1, 'the wrong password counts toward the lockout');
    const audited = await t.system.db.query(
      "select 1 from audit_log where action = '2fa.password' and outcome = 'failure'",
    );
    assert.equal(audited.length, 1);
  });

  it('turning 2FA on alerts the user and signs out every other session; the current one stays', async () => {
    const user = await t.signUp();
    const elsewhere = (
      await t.request('POST', '/v1/sessions', { body: { email: user.email, password } })
    ).json();
    await t.enrolTwoFactor(user);
    assert.equal((await t.request('GET', '/v1/me', { token: user.token })).statusCode, 200);
    assert.equal(
      (await t.request('GET', '/v1/me', { token: elsewhere.access_token })).statusCode,
      401,
      'the other session (maybe the owner, maybe a thief) is signed out',
    );
    const feed = await alerts(user.token, (list) =>
      list.some((a) => a.type === 'security_change' && /turned on/.test(a.title)),
    );
    assert.equal(feed.filter((a) => a.type === 'security_change').length, 1, JSON.stringify(feed));
  });

  it('new recovery codes need the password and a current code; the old ones stop working', async () => {
    const user = await t.signUp();
    const { code, recoveryCodes } = await t.enrolTwoFactor(user);
    const withoutCode = await t.request('POST', '/v1/2fa/recovery_codes', {
      token: user.token,
      body: { password, code: '000000' },
    });
    assert.equal(withoutCode.statusCode, 401);
    const fresh = await t.request('POST', '/v1/2fa/recovery_codes', {
      token: user.token,
      body: { password, code: code(0) },
    });
    assert.equal(fresh.statusCode, 200, fresh.body);
    assert.equal(fresh.json().recovery_codes.length, 10);
    const challenge = (
      await t.request('POST', '/v1/sessions', { body: { email: user.email, password } })
    ).json().challenge_id;
    const old = await t.request('POST', '/v1/sessions/2fa', {
      body: { challenge_id: challenge, code: recoveryCodes[0] },
    });
    assert.equal(old.statusCode, 401, 'an old recovery code no longer works');
    const current = await t.request('POST', '/v1/sessions/2fa', {
      body: { challenge_id: challenge, code: fresh.json().recovery_codes[0] },
    });
    assert.equal(current.statusCode, 201, current.body);
  });

  it('a factor younger than a day cannot confirm a large transfer; nothing moves', async () => {
    const user = await t.signUp();
    const bob = await t.signUp();
    await t.fund(user.walletId, 50_000);
    const { code } = await t.enrolTwoFactor(user);
    const large = await t.request('POST', '/v1/transfers', {
      token: user.token,
      key: randomUUID(),
      body: { to: bob.email, amount: 20_000, currency: 'USD' },
    });
    assert.equal(large.statusCode, 403, large.body);
    assert.equal(large.json().error.code, 'new_factor_cooling_off');
    assert.equal(large.json().error.money_moved, false);
    assert.ok(Number(large.headers['retry-after']) > 23 * 3600);
    // A transfer that stepped up before the factor was replaced is refused at confirmation too.
    const waiting = await t.system.db.query<{ id: string }>(
      "select id from payments where status = 'requires_action'",
    );
    assert.equal(waiting.length, 0);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
    // A factor old enough confirms it.
    await t.system.db.query(
      "update user_totp set enabled_at = now() - interval '25 hours' where user_id = (select id from users where email = $1)",
      [user.email],
    );
    const later = await t.request('POST', '/v1/transfers', {
      token: user.token,
      key: randomUUID(),
      body: { to: bob.email, amount: 20_000, currency: 'USD' },
    });
    assert.equal(later.statusCode, 201, later.body);
    assert.equal(later.json().status, 'requires_action');
    // The factor is replaced meanwhile (young again): it cannot confirm what waits either.
    await t.system.db.query(
      'update user_totp set enabled_at = now() where user_id = (select id from users where email = $1)',
      [user.email],
    );
    const confirm = await t.request('POST', `/v1/transfers/${later.json().id}/confirm`, {
      token: user.token,
      key: randomUUID(),
      body: { code: code(0) },
    });
    assert.equal(confirm.statusCode, 403, confirm.body);
    assert.equal(confirm.json().error.code, 'new_factor_cooling_off');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
  });
});
