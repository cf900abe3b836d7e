import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { maskCardNumbers } from '../src/modules/vault/index.ts';
import { password, startTestSystem, type TestSystem } from './support/test-system.ts';
import { awayFromTotpStepEdge } from './support/totp-timing.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

async function userIdOf(email: string): Promise<string> {
  const rows = await t.system.db.query<{ id: string }>('select id from users where email = $1', [
    email,
  ]);
  assert.ok(rows[0] !== undefined, `no user ${email}`);
  return rows[0].id;
}

/** Refresh tokens issued to the user: one per session opened. */
async function sessionsOf(userId: string): Promise<number> {
  const rows = await t.system.db.query<{ n: number }>(
    'select count(*)::int as n from refresh_tokens where user_id = $1',
    [userId],
  );
  return rows[0]?.n ?? 0;
}

/** A fresh log-in challenge of the user. */
async function challengeOf(email: string): Promise<string> {
  const started = await t.request('POST', '/v1/sessions', { body: { email, password } });
  assert.equal(started.statusCode, 200, started.body);
  return started.json().challenge_id as string;
}

async function audited(action: string, outcome: 'success' | 'failure'): Promise<number> {
  const rows = await t.system.db.query<{ n: number }>(
    'select count(*)::int as n from audit_log where action = $1 and outcome = $2',
    [action, outcome],
  );
  return rows[0]?.n ?? 0;
}

describe('the 2FA log-in step refuses malformed challenge ids cleanly', () => {
  it('malformed, foreign-prefixed and unknown challenge ids: 401 invalid_challenge, never a 500, nobody logged in', async () => {
    const user = await t.signUp();
    const { code } = await t.enrolTwoFactor(user);
    const userId = await userIdOf(user.email);
    const real = await challengeOf(user.email);
    assert.match(real, /^chl_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const realUuid = real.slice(4);
    const sessionsBefore = await sessionsOf(userId);
    const successesBefore = await audited('login.2fa', 'success');

    const malformed = [
      'chl_not-a-uuid',
      `chl_${'a'.repeat(40)}`,
      'chl_00000000-0000-0000-0000-00000000000g',
      // Valid-looking, but no such challenge.
      `chl_${randomUUID()}`,
      'chl_00000000-0000-0000-0000-000000000000',
      // The real challenge's UUID, but not as the API wrote it.
      realUuid,
      `ses_${realUuid}`,
      `chl_${realUuid.toUpperCase()}`,
      `chl_${realUuid}0`,
      `chl_${realUuid} `,
      `chl_{${realUuid}}`,
      `chl_${realUuid.replace(/-/g, '')}`,
      'chl_',
      "chl_' or '1'='1",
      'chl_00000000-0000-0000-0000-0000000000\u0661\u0662',
    ];
    await awayFromTotpStepEdge();
    for (const challengeId of malformed) {
      const res = await t.request('POST', '/v1/sessions/2fa', {
        body: { challenge_id: challengeId, code: code(0) },
      });
      assert.equal(res.statusCode, 401, `${JSON.stringify(challengeId)}: ${res.body}`);
      const body = res.json();
      assert.equal(body.error.code, 'invalid_challenge', JSON.stringify(challengeId));
      assert.equal(body.access_token, undefined);
      assert.equal(body.refresh_token, undefined);
      assert.equal(res.headers['set-cookie'], undefined);
    }
    // Too long for the schema: a validation error (still a 4xx error object).
    const tooLong = await t.request('POST', '/v1/sessions/2fa', {
      body: { challenge_id: `chl_${'0'.repeat(61)}`, code: code(0) },
    });
    assert.equal(tooLong.statusCode, 400, tooLong.body);
    assert.equal(typeof tooLong.json().error.code, 'string');
    assert.equal(tooLong.json().error.param, 'challenge_id');
    for (const challengeId of [42, null, ['chl_x'], { id: real }]) {
      const res = await t.request('POST', '/v1/sessions/2fa', {
        body: { challenge_id: challengeId, code: code(0) },
      });
      assert.equal(res.statusCode, 400, `${JSON.stringify(challengeId)}: ${res.body}`);
      assert.equal(typeof res.json().error.code, 'string');
    }

    assert.equal(await sessionsOf(userId), sessionsBefore, 'no session was opened');
    assert.equal(await audited('login.2fa', 'success'), successesBefore, 'no 2FA log-in');
    // The real challenge is untouched by all of this: it still completes, once.
    const done = await t.request('POST', '/v1/sessions/2fa', {
      body: { challenge_id: real, code: code(0) },
    });
    assert.equal(done.statusCode, 201, done.body);
    assert.equal(typeof done.json().access_token, 'string');
    assert.equal(await sessionsOf(userId), sessionsBefore + 1);
    const again = await t.request('POST', '/v1/sessions/2fa', {
      body: { challenge_id: real, code: code(1) },
    });
    assert.equal(again.statusCode, 401, again.body);
    assert.equal(again.json().error.code, 'invalid_challenge', 'a used challenge is gone');
  });

  it('a challenge id is never an oracle: unknown and malformed ids get the same answer as an expired one', async () => {
    const user = await t.signUp();
    const { code } = await t.enrolTwoFactor(user);
    const real = await challengeOf(user.email);
    const userId = await userIdOf(user.email);
    const sessionsBefore = await sessionsOf(userId);
    await t.system.db.query(
      "update login_challenges set expires_at = now() - interval '1 second' where id = $1",
      [real.slice(4)],
    );
    const answers = [];
    for (const challengeId of [real, `chl_${randomUUID()}`, 'chl_not-a-uuid']) {
      const res = await t.request('POST', '/v1/sessions/2fa', {
        body: { challenge_id: challengeId, code: code(0) },
      });
      answers.push([res.statusCode, res.json().error.code, res.json().error.message]);
    }
    assert.equal(answers[0]?.[0], 401);
    assert.deepEqual(answers[1], answers[0]);
    assert.deepEqual(answers[2], answers[0]);
    assert.equal(await sessionsOf(userId), sessionsBefore, 'nobody logged in');
  });

  it('a real challenge whose UUID holds a Luhn-valid digit run still completes', async () => {
    const user = await t.signUp();
    const { code } = await t.enrolTwoFactor(user);
    // A challenge as the server makes them (a UUID), one the masking rewrites.
    let id = randomUUID();
    while (maskCardNumbers(`chl_${id}`) === `chl_${id}`) id = randomUUID();
    await t.system.db.query(
      "insert into login_challenges (id, user_id, expires_at) values ($1, $2, now() + interval '5 minutes')",
      [id, await userIdOf(user.email)],
    );
    const res = await t.request('POST', '/v1/sessions/2fa', {
      body: { challenge_id: `chl_${id}`, code: code(0) },
    });
    assert.equal(res.statusCode, 201, `chl_${id}: ${res.body}`);
  });
});
