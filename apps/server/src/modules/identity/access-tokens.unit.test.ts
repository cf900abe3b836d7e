import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { accessTokenKeysFromSecret, signAccessToken, verifyAccessToken } from './access-tokens.ts';

const keys = accessTokenKeysFromSecret('a-test-secret-that-is-long-enough-for-hs256');
const now = new Date('2026-06-01T12:00:00Z');
const claims = { userId: 'u1', sessionFamilyId: 'f1', deviceId: null };

function forge(header: object, payload: object, secret: string | Buffer): string {
  const h = Buffer.from(JSON.stringify(header)).toString('base64url');
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${h}.${p}.${createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`;
}

describe('access tokens', () => {
  it('verifies what it signs, until expiry', async () => {
    const token = await signAccessToken(keys, claims, now, 900);
    assert.deepEqual(await verifyAccessToken(keys, token, now), {
      ...claims,
      expiresAt: new Date(Math.floor(now.getTime() / 1000) * 1000 + 900_000),
    });
    const bound = await signAccessToken(keys, { ...claims, deviceId: 'd1' }, now, 900);
    assert.equal((await verifyAccessToken(keys, bound, now))?.deviceId, 'd1');
    assert.equal(await verifyAccessToken(keys, token, new Date(now.getTime() + 900_000)), null);
  });

  it('interoperates with an independent JWT library (jose)', async () => {
    const iat = Math.floor(now.getTime() / 1000);
    const token = await new SignJWT({ sid: 'f1' })
      .setProtectedHeader({ alg: 'HS256', kid: keys.current.id })
      .setSubject('u1')
      .setIssuer('kassa')
      .setAudience('kassa-api')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .sign(keys.current.secret);
    assert.deepEqual(await verifyAccessToken(keys, token, now), {
      ...claims,
      expiresAt: new Date((iat + 60) * 1000),
    });
  });

  it('refuses forgeries: alg none, other algorithms, wrong key, unknown kid, wrong iss/aud, tampering', async () => {
    const iat = Math.floor(now.getTime() / 1000);
    const payload = { sub: 'u1', sid: 'f1', iss: 'kassa', aud: 'kassa-api', iat, exp: iat + 60 };
    const secret = keys.current.secret;
    const kid = keys.current.id;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    const good = await signAccessToken(keys, claims, now, 60);
    const [h, p, s] = good.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'admin' })).toString('base64url')}.${s}`;
    for (const token of [
      none,
      forge({ alg: 'HS512', kid }, payload, secret),
      forge({ alg: 'HS256', kid }, payload, 'another secret'),
      forge({ alg: 'HS256', kid: 'unknown' }, payload, secret),
      forge({ alg: 'HS256' }, payload, secret),
      forge({ alg: 'HS256', kid }, { ...payload, iss: 'evil' }, secret),
      forge({ alg: 'HS256', kid }, { ...payload, aud: 'other' }, secret),
      forge({ alg: 'HS256', kid }, { ...payload, exp: undefined }, secret),
      forge({ alg: 'HS256', kid, crit: ['x'] }, payload, secret),
      tampered,
      `${h}.${p}`,
      'not-a-token',
    ]) {
      assert.equal(await verifyAccessToken(keys, token, now), null, token);
    }
    assert.deepEqual(
      await verifyAccessToken(keys, forge({ alg: 'HS256', kid }, payload, secret), now),
      { ...claims, expiresAt: new Date(payload.exp * 1000) },
    );
  });
});
