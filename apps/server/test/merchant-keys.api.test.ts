import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeId } from '../src/kernel/ids.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

const me = (key: string) => t.request('GET', '/v1/webhook_endpoints', { token: key });

describe('merchant keys can be listed, rolled and revoked, and are named for what they do (issue 11, medium 12)', () => {
  it('new keys are sk_live_ (they move real money); listing shows prefixes only', async () => {
    const merchant = await t.createMerchant();
    assert.match(merchant.secretKey, /^sk_live_[A-Za-z0-9_-]{32}$/);
    const list = await t.request('GET', '/v1/api_keys', { token: merchant.secretKey });
    assert.equal(list.statusCode, 200, list.body);
    const [key] = list.json().data;
    assert.deepEqual(
      { prefix: key.prefix, status: key.status, current: key.current, livemode: key.livemode },
      {
        prefix: `${merchant.secretKey.slice(0, 12)}…`,
        status: 'active',
        current: true,
        livemode: true,
      },
    );
    assert.ok(!list.body.includes(merchant.secretKey), 'the secret is never shown again');
  });

  it('rolling gives a new key at once and keeps the old one for the grace period; both audited', async () => {
    const merchant = await t.createMerchant();
    const keyId = (await t.request('GET', '/v1/api_keys', { token: merchant.secretKey })).json()
      .data[0].id as string;
    const rolled = await t.request('POST', `/v1/api_keys/${keyId}/roll`, {
      token: merchant.secretKey,
      key: randomUUID(),
      body: { expires_in_hours: 1 },
    });
    assert.equal(rolled.statusCode, 201, rolled.body);
    const fresh = rolled.json().secret as string;
    assert.match(fresh, /^sk_live_/);
    assert.equal((await me(fresh)).statusCode, 200, 'the new key works');
    assert.equal((await me(merchant.secretKey)).statusCode, 200, 'the old one, for now');
    // …but the old key (maybe the leak the roll was for) cannot manage the keys that replaced it.
    const freshId = rolled.json().id as string;
    for (const [method, url] of [
      ['GET', '/v1/api_keys'],
      ['POST', `/v1/api_keys/${freshId}/roll`],
      ['DELETE', `/v1/api_keys/${freshId}`],
    ] as const) {
      const refused = await t.request(method, url, {
        token: merchant.secretKey,
        key: randomUUID(),
        ...(method === 'POST' ? { body: {} } : {}),
      });
      assert.equal(refused.statusCode, 403, `${method} ${url}: ${refused.body}`);
      assert.equal(refused.json().error.code, 'forbidden');
    }
    assert.equal((await me(fresh)).statusCode, 200, 'the new key was not touched');
    // The grace period ends (the clock moved on): the old key is refused.
    await t.system.db.query(
      "update merchant_api_keys set expires_at = now() - interval '1 second' where expires_at is not null",
    );
    assert.equal((await me(merchant.secretKey)).statusCode, 401);
    assert.equal((await me(fresh)).statusCode, 200);
    const audited = await t.system.db.query(
      "select 1 from audit_log where action = 'api_key.rolled' and actor like 'merchant:%'",
    );
    assert.equal(audited.length, 1);
  });

  it('a revoked key is refused at once; another merchant cannot touch this one’s keys', async () => {
    const merchant = await t.createMerchant();
    const other = await t.createMerchant();
    const keyId = (await t.request('GET', '/v1/api_keys', { token: merchant.secretKey })).json()
      .data[0].id as string;
    const foreign = await t.request('DELETE', `/v1/api_keys/${keyId}`, { token: other.secretKey });
    assert.equal(foreign.statusCode, 404);
    assert.equal((await me(merchant.secretKey)).statusCode, 200);
    const revoked = await t.request('DELETE', `/v1/api_keys/${keyId}`, {
      token: merchant.secretKey,
    });
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.json().status, 'revoked');
    assert.equal((await me(merchant.secretKey)).statusCode, 401);
    // The operator can issue the merchant a new key.
    const issued = await t.request('POST', `/v1/merchants/${merchant.id}/api_keys`, {
      token: t.operatorKey,
    });
    assert.equal(issued.statusCode, 201, issued.body);
    assert.equal((await me(issued.json().secret)).statusCode, 200);
    const listed = await t.request('GET', `/v1/merchants/${merchant.id}/api_keys`, {
      token: t.operatorKey,
    });
    assert.deepEqual(
      listed.json().data.map((k: { status: string }) => k.status),
      ['active', 'revoked'],
    );
    const actions = await t.system.db.query<{ action: string; actor: string }>(
      "select action, actor from audit_log where action like 'api_key.%' and object = $1 order by seq",
      [`merchant:${decodeId('mer', merchant.id) ?? ''}`],
    );
    assert.deepEqual(
      actions.map((a) => [a.action, a.actor.split(':')[0]]),
      [
        ['api_key.revoked', 'merchant'],
        ['api_key.issued', 'operator'],
      ],
    );
  });

  it('payers see the verified legal name beside the display name the merchant chose', async () => {
    const created = await t.request('POST', '/v1/merchants', {
      token: t.operatorKey,
      body: {
        name: 'Corner Cafe',
        verified_name: 'Corner Cafe GmbH',
        category: 'food',
        currency: 'USD',
      },
    });
    const merchant = created.json();
    const payer = await t.signUp();
    // The merchant renames itself after a famous brand: its verified name stays.
    const renamed = await t.request('PATCH', `/v1/merchants/${merchant.id}`, {
      token: merchant.secret_key,
      body: { name: 'Apple Store' },
    });
    assert.equal(renamed.statusCode, 200, renamed.body);
    const seen = await t.request('GET', `/v1/merchants/${merchant.id}`, { token: payer.token });
    assert.deepEqual(
      { name: seen.json().name, verified_name: seen.json().verified_name },
      { name: 'Apple Store', verified_name: 'Corner Cafe GmbH' },
    );
    const self = await t.request('PATCH', `/v1/merchants/${merchant.id}`, {
      token: merchant.secret_key,
      body: { verified_name: 'Apple Inc.' },
    });
    assert.equal(self.statusCode, 403, 'only the operator verifies names');
  });
});
