import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { base32Decode, hotp, totpStep } from '../src/modules/identity/domain/totp.ts';
import { signingInput } from '../src/modules/identity/index.ts';
import { awayFromTotpStepEdge } from './support/totp-timing.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

function keyPair(kind: 'ES256' | 'EdDSA') {
  const pair =
    kind === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('ed25519');
  return {
    privateKey: pair.privateKey,
    jwk: pair.publicKey.export({ format: 'jwk' }) as Record<string, string>,
    kind,
  };
}

/** Sends a signed transfer the way the app would: the signature covers exactly these bytes. */
async function signedTransfer(
  token: string,
  deviceId: string,
  key: { privateKey: KeyObject; kind: 'ES256' | 'EdDSA' },
  body: object,
  options: {
    timestamp?: number;
    tamper?: boolean;
    reuse?: { signature: string; timestamp: string; raw: string; idempotencyKey: string };
  } = {},
) {
  const raw = options.reuse?.raw ?? JSON.stringify(body);
  const idempotencyKey = options.reuse?.idempotencyKey ?? randomUUID();
  const timestamp =
    options.reuse?.timestamp ?? String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const data = signingInput({
    method: 'POST',
    path: '/v1/transfers',
    body: raw,
    timestamp,
    idempotencyKey,
  });
  const signature =
    options.reuse?.signature ??
    (key.kind === 'ES256'
      ? sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
      : sign(null, data, key.privateKey)
    ).toString('base64url');
  const sent = options.tamper === true ? raw.replace('"amount":100', '"amount":900') : raw;
  const res = await t.system.app.inject({
    method: 'POST',
    url: '/v1/transfers',
    payload: sent,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
      'kassa-device': deviceId,
      'kassa-signature': `t=${timestamp},sig=${signature}`,
    },
  });
  return { res, signature, timestamp, raw, idempotencyKey };
}

describe('devices and signed requests', () => {
  it('enrolls P-256 and Ed25519 keys; the first device is trusted, the next is not; private keys are refused', async () => {
    const user = await t.signUp();
    const first = await t.request('POST', '/v1/devices', {
      token: user.token,
      body: {
        name: 'Phone',
        public_key: keyPair('ES256').jwk,
        fingerprint: { os: 'android', model: 'Pixel' },
      },
    });
    assert.equal(first.statusCode, 201, first.body);
    assert.match(first.json().id, /^dev_/);
    assert.equal(first.json().trusted, true);
    const second = await t.request('POST', '/v1/devices', {
      token: user.token,
      body: { name: 'Tablet', public_key: keyPair('EdDSA').jwk },
    });
    assert.equal(second.json().trusted, false);
    const privateJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      format: 'jwk',
    }) as Record<string, string>;
    const leak = await t.request('POST', '/v1/devices', {
      token: user.token,
      body: { name: 'Oops', public_key: privateJwk },
    });
    assert.equal(leak.json().error.code, 'invalid_device_key');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      format: 'jwk',
    }) as Record<string, string>;
    assert.equal(
      (
        await t.request('POST', '/v1/devices', {
          token: user.token,
          body: { name: 'RSA', public_key: rsa },
        })
      ).json().error.code,
      'invalid_device_key',
    );
  });

  it("a valid signature passes; a tampered body, a stale timestamp, a replay or another user's device are refused", async () => {
    for (const kind of ['ES256', 'EdDSA'] as const) {
      const alice = await t.signUp();
      const bob = await t.signUp();
      await t.fund(alice.walletId, 10_000);
      const key = keyPair(kind);
      const device = (
        await t.request('POST', '/v1/devices', {
          token: alice.token,
          body: { name: kind, public_key: key.jwk },
        })
      ).json();
      const body = { to: bob.email, amount: 100, currency: 'USD' };
      const ok = await signedTransfer(alice.token, device.id, key, body);
      assert.equal(ok.res.statusCode, 201, ok.res.body);
      const tampered = await signedTransfer(alice.token, device.id, key, body, { tamper: true });
      assert.equal(tampered.res.statusCode, 401);
      assert.equal(tampered.res.json().error.code, 'invalid_device_signature');
      const stale = await signedTransfer(alice.token, device.id, key, body, {
        timestamp: Math.floor(Date.now() / 1000) - 600,
      });
      assert.equal(stale.res.statusCode, 401);
      const replay = await signedTransfer(alice.token, device.id, key, body, {
        reuse: { ...ok, idempotencyKey: randomUUID() },
      });
      assert.equal(replay.res.statusCode, 401, 'a new idempotency key breaks the old signature');
      const sameKeyReplay = await signedTransfer(alice.token, device.id, key, body, { reuse: ok });
      assert.equal(sameKeyReplay.res.statusCode, 401, 'the exact request again is a replay');
      const mallory = await t.signUp();
      const foreign = await signedTransfer(mallory.token, device.id, key, body);
      assert.equal(foreign.res.statusCode, 401);
      assert.equal(
        (await t.balance(bob.token, bob.walletId)).balance,
        100,
        'only the valid request moved money',
      );
    }
  });

  it('a payment from an untrusted device needs step-up; trusting the device with a 2FA code lifts it', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 10_000);
    await awayFromTotpStepEdge();
    const { secret } = (await t.request('POST', '/v1/2fa/totp', { token: alice.token })).json();
    const code = (offset: number) =>
      hotp(base32Decode(secret as string), totpStep(new Date()) + BigInt(offset));
    await t.request('POST', '/v1/2fa/totp/confirm', {
      token: alice.token,
      body: { code: code(-1) },
    });
    await t.request('POST', '/v1/devices', {
      token: alice.token,
      body: { name: 'Old phone', public_key: keyPair('ES256').jwk },
    });
    const key = keyPair('ES256');
    const device = (
      await t.request('POST', '/v1/devices', {
        token: alice.token,
        body: { name: 'New phone', public_key: key.jwk },
      })
    ).json();
    assert.equal(device.trusted, false);
    const small = await signedTransfer(alice.token, device.id, key, {
      to: bob.email,
      amount: 100,
      currency: 'USD',
    });
    assert.equal(
      small.res.json().status,
      'requires_action',
      'even a small payment steps up from a new device',
    );
    const trust = await t.request('POST', `/v1/devices/${device.id}/trust`, {
      token: alice.token,
      body: { code: code(0) },
    });
    assert.equal(trust.statusCode, 200, trust.body);
    const after = await signedTransfer(alice.token, device.id, key, {
      to: bob.email,
      amount: 100,
      currency: 'USD',
    });
    assert.equal(after.res.json().status, 'succeeded');
  });
  it('a session opened from a device can only be refreshed by that device; any other refresh kills it', async () => {
    const user = await t.signUp();
    const device = (
      await t.request('POST', '/v1/devices', {
        token: user.token,
        body: { name: 'Phone', public_key: keyPair('EdDSA').jwk },
      })
    ).json();
    const logIn = () =>
      t.request('POST', '/v1/sessions', {
        body: { email: user.email, password: 'correct horse battery' },
        headers: { 'kassa-device': device.id },
      });
    const bound = (await logIn()).json();
    const ok = await t.request('POST', '/v1/sessions/refresh', {
      body: { refresh_token: bound.refresh_token },
      headers: { 'kassa-device': device.id },
    });
    assert.equal(ok.statusCode, 201, ok.body);
    const stolen = await t.request('POST', '/v1/sessions/refresh', {
      body: { refresh_token: ok.json().refresh_token },
    });
    assert.equal(stolen.statusCode, 401, 'no device header: refused');
    assert.equal(
      (await t.request('GET', '/v1/me', { token: ok.json().access_token })).statusCode,
      401,
      'and the family is revoked',
    );
    const unbound = (
      await t.request('POST', '/v1/sessions', {
        body: { email: user.email, password: 'correct horse battery' },
      })
    ).json();
    const plain = await t.request('POST', '/v1/sessions/refresh', {
      body: { refresh_token: unbound.refresh_token },
    });
    assert.equal(plain.statusCode, 201, 'sessions opened without a device are not bound');
  });
});
