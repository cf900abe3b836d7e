import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { password, startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem({
    env: { STEP_UP_LIMITS: 'USD=100/100000', NEW_FACTOR_COOL_OFF_HOURS: '0' },
  });
});
after(() => t.close());

function logIn(email: string, secret: string, from = '127.0.0.1') {
  return t.system.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    payload: { email, password: secret },
    remoteAddress: from,
  });
}

async function failuresAudited(action: string, actor: string): Promise<number> {
  const rows = await t.system.db.query<{ n: number }>(
    "select count(*)::int as n from audit_log where action = $1 and outcome = 'failure' and actor = $2",
    [action, actor],
  );
  return rows[0]?.n ?? 0;
}

function publicJwk(): Record<string, string> {
  return generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as Record<
    string,
    string
  >;
}

function statuses(responses: readonly { statusCode: number }[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const r of responses) counts.set(r.statusCode, (counts.get(r.statusCode) ?? 0) + 1);
  return counts;
}

describe('counting and refusing are one step (issue 11, medium 4)', () => {
  it('50 simultaneous wrong passwords: at most 10 are evaluated, the rest refused unread', async () => {
    const user = await t.signUp();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => logIn(user.email, `wrong guess number ${i}`)),
    );
    const seen = statuses(answers);
    assert.ok((seen.get(401) ?? 0) <= 10, JSON.stringify([...seen]));
    assert.equal((seen.get(401) ?? 0) + (seen.get(429) ?? 0), 50, JSON.stringify([...seen]));
    assert.ok(
      (await failuresAudited('login', `email:${user.email.toLowerCase()}`)) <= 10,
      'every evaluated guess is audited: no more than 10',
    );
    assert.equal((await logIn(user.email, password)).statusCode, 429, 'locked, even for the owner');
  });

  it('40 simultaneous wrong step-up codes: at most 10 are evaluated, the payment does not move', async () => {
    const user = await t.signUp();
    const bob = await t.signUp();
    await t.fund(user.walletId, 50_000);
    await t.enrolTwoFactor(user);
    const waiting = await t.request('POST', '/v1/transfers', {
      token: user.token,
      key: randomUUID(),
      body: { to: bob.email, amount: 20_000, currency: 'USD' },
    });
    assert.equal(waiting.json().status, 'requires_action', waiting.body);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.request('POST', `/v1/transfers/${waiting.json().id}/confirm`, {
          token: user.token,
          key: randomUUID(),
          body: { code: String(100_000 + i) },
        }),
      ),
    );
    const seen = statuses(answers);
    assert.ok((seen.get(401) ?? 0) <= 10, JSON.stringify([...seen]));
    assert.equal((seen.get(401) ?? 0) + (seen.get(429) ?? 0), 40, JSON.stringify([...seen]));
    const userId = (
      await t.system.db.query<{ id: string }>('select id from users where email = $1', [user.email])
    )[0]!.id;
    assert.ok((await failuresAudited('payment.step_up', `user:${userId}`)) <= 10);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
  });

  it('40 simultaneous wrong codes at the 2FA log-in step and at device trust: at most 10 each', async () => {
    const user = await t.signUp();
    await t.enrolTwoFactor(user);
    const userId = (
      await t.system.db.query<{ id: string }>('select id from users where email = $1', [user.email])
    )[0]!.id;
    const challenge = (await logIn(user.email, password)).json().challenge_id as string;
    const logins = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.request('POST', '/v1/sessions/2fa', {
          body: { challenge_id: challenge, code: String(200_000 + i) },
        }),
      ),
    );
    assert.ok((statuses(logins).get(401) ?? 0) <= 10, JSON.stringify([...statuses(logins)]));
    assert.ok((await failuresAudited('login.2fa', `user:${userId}`)) <= 10);

    const other = await t.signUp();
    await t.enrolTwoFactor(other);
    const otherId = (
      await t.system.db.query<{ id: string }>('select id from users where email = $1', [
        other.email,
      ])
    )[0]!.id;
    await t.request('POST', '/v1/devices', {
      token: other.token,
      body: { name: 'First', public_key: publicJwk() },
    });
    const device = (
      await t.request('POST', '/v1/devices', {
        token: other.token,
        body: { name: 'Second', public_key: publicJwk() },
      })
    ).json();
    const trusts = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.request('POST', `/v1/devices/${device.id}/trust`, {
          token: other.token,
          body: { code: String(300_000 + i) },
        }),
      ),
    );
    const seen = statuses(trusts);
    assert.ok((seen.get(401) ?? 0) <= 10, JSON.stringify([...seen]));
    assert.equal((seen.get(401) ?? 0) + (seen.get(429) ?? 0), 40, JSON.stringify([...seen]));
    assert.ok(
      (await failuresAudited('device.trusted', `user:${otherId}`)) >= 1,
      'failed trust attempts are audited',
    );
    assert.ok((await failuresAudited('device.trusted', `user:${otherId}`)) <= 10);
    const list = (await t.request('GET', '/v1/devices', { token: other.token })).json().data;
    assert.equal(list.find((d: { id: string }) => d.id === device.id).trusted, false);
  });

  it('a stranger cannot lock an account at will: the lock is per address, with a softer brake per email that the owner’s known addresses skip', async () => {
    const user = await t.signUp();
    for (let i = 0; i < 10; i += 1)
      assert.equal((await logIn(user.email, `guess ${i} wrong`, '198.51.100.7')).statusCode, 401);
    assert.equal((await logIn(user.email, password, '198.51.100.7')).statusCode, 429);
    const owner = await logIn(user.email, password, '203.0.113.9');
    assert.equal(owner.statusCode, 201, 'the owner, elsewhere, still logs in');
    // IPv6 counts per /64: another address of the same /64 is the same client.
    for (let i = 0; i < 10; i += 1)
      await logIn(user.email, `v6 guess ${i} wrong`, `2001:db8:1:2::${(i + 1).toString(16)}`);
    assert.equal((await logIn(user.email, password, '2001:db8:1:2::ff')).statusCode, 429);
    assert.equal((await logIn(user.email, password, '2001:db8:1:3::1')).statusCode, 201);
    // Guesses from very many addresses still meet the brake on the email itself.
    for (let i = 0; i < 50; i += 1)
      await logIn(user.email, `spread guess ${i}`, `192.0.2.${i + 10}`);
    assert.equal((await logIn(user.email, password, '203.0.113.50')).statusCode, 429);
    // …which the owner's usual addresses (a log-in from them in the last 30 days) skip.
    assert.equal(
      (await logIn(user.email, password, '203.0.113.9')).statusCode,
      201,
      'the owner’s own device is not braked',
    );
    assert.equal(
      (await logIn(user.email, 'a wrong one', '203.0.113.9')).statusCode,
      401,
      'a known address still has its own lockout',
    );
  });
});
