import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signingInput } from '../src/modules/identity/index.ts';
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

/** The `Kassa-Device` and `Kassa-Signature` headers (and the key they cover) of a request. */
function signedHeaders(
  path: string,
  raw: string,
  key: { privateKey: KeyObject; kind: 'ES256' | 'EdDSA' },
  deviceId: string,
): Record<string, string> {
  const idempotencyKey = randomUUID();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const data = signingInput({ method: 'POST', path, body: raw, timestamp, idempotencyKey });
  const signature = (
    key.kind === 'ES256'
      ? sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
      : sign(null, data, key.privateKey)
  ).toString('base64url');
  return {
    'idempotency-key': idempotencyKey,
    'kassa-device': deviceId,
    'kassa-signature': `t=${timestamp},sig=${signature}`,
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
    const { code } = await t.enrolTwoFactor(alice);
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
  it('a session opened from a device is refreshed only with a signature by that device; anything else kills it', async () => {
    const user = await t.signUp();
    const key = keyPair('EdDSA');
    const device = (
      await t.request('POST', '/v1/devices', {
        token: user.token,
        body: { name: 'Phone', public_key: key.jwk },
      })
    ).json();
    const logIn = () =>
      t.request('POST', '/v1/sessions', {
        body: { email: user.email, password: 'correct horse battery' },
        headers: { 'kassa-device': device.id },
      });
    const refresh = (refreshToken: string, headers: Record<string, string>) =>
      t.system.app.inject({
        method: 'POST',
        url: '/v1/sessions/refresh',
        payload: JSON.stringify({ refresh_token: refreshToken }),
        headers: { 'content-type': 'application/json', ...headers },
      });
    const bound = (await logIn()).json();
    const body = (token: string) => JSON.stringify({ refresh_token: token });
    const ok = await refresh(
      bound.refresh_token,
      signedHeaders('/v1/sessions/refresh', body(bound.refresh_token), key, device.id),
    );
    assert.equal(ok.statusCode, 201, ok.body);
    // The device's id alone (what a thief who copied the session storage has) is not enough.
    const stolen = await refresh(ok.json().refresh_token, { 'kassa-device': device.id });
    assert.equal(stolen.statusCode, 401, 'no signature: refused');
    assert.equal(
      (await t.request('GET', '/v1/me', { token: ok.json().access_token })).statusCode,
      401,
      'and the family is revoked',
    );
    const other = keyPair('EdDSA');
    const again = (await logIn()).json();
    const forged = await refresh(
      again.refresh_token,
      signedHeaders('/v1/sessions/refresh', body(again.refresh_token), other, device.id),
    );
    assert.equal(forged.statusCode, 401, 'signed by another key: refused');
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

  it('money requests of a device-bound session must be signed by that device', async () => {
    const user = await t.signUp();
    const bob = await t.signUp();
    await t.fund(user.walletId, 1_000);
    const key = keyPair('ES256');
    const device = (
      await t.request('POST', '/v1/devices', {
        token: user.token,
        body: { name: 'Phone', public_key: key.jwk },
      })
    ).json();
    const bound = (
      await t.request('POST', '/v1/sessions', {
        body: { email: user.email, password: 'correct horse battery' },
        headers: { 'kassa-device': device.id },
      })
    ).json();
    const transfer = { to: bob.email, amount: 100, currency: 'USD' };
    const unsigned = await t.request('POST', '/v1/transfers', {
      token: bound.access_token,
      key: randomUUID(),
      body: transfer,
    });
    assert.equal(unsigned.statusCode, 401, unsigned.body);
    assert.equal(unsigned.json().error.code, 'invalid_device_signature');
    assert.equal(unsigned.json().error.money_moved, false);
    const signedOk = await signedTransfer(bound.access_token, device.id, key, transfer);
    assert.equal(signedOk.res.statusCode, 201, signedOk.res.body);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 100);
  });

  it('a replay with the other valid form of an ECDSA signature (s and n - s) is refused', async () => {
    const user = await t.signUp();
    const bob = await t.signUp();
    await t.fund(user.walletId, 1_000);
    const key = keyPair('ES256');
    const device = (
      await t.request('POST', '/v1/devices', {
        token: user.token,
        body: { name: 'Phone', public_key: key.jwk },
      })
    ).json();
    const body = { to: bob.email, amount: 100, currency: 'USD' };
    const first = await signedTransfer(user.token, device.id, key, body);
    assert.equal(first.res.statusCode, 201, first.res.body);
    // (r, s) → (r, n − s): a second signature, equally valid, over the same bytes.
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const raw = Buffer.from(first.signature, 'base64url');
    const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
    const flipped = Buffer.concat([
      raw.subarray(0, 32),
      Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'),
    ]).toString('base64url');
    assert.notEqual(flipped, first.signature);
    const replay = await signedTransfer(user.token, device.id, key, body, {
      reuse: { ...first, signature: flipped },
    });
    assert.equal(replay.res.statusCode, 401, replay.res.body);
    assert.equal(replay.res.json().error.code, 'invalid_device_signature');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 100, 'moved once');
  });
});
