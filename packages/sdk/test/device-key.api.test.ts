import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import 'fake-indexeddb/auto';
import type { TestSystem } from '../../../apps/server/test/support/test-system.ts';
import { createKassaClient, indexedDbStorage, type SessionTokens } from '../src/index.ts';
import { rawKeys } from './raw-indexeddb.ts';
import { recordingFetch, signedInClient, startListeningSystem } from './support.ts';

let t: TestSystem;
let baseUrl: string;
before(async () => {
  ({ t, baseUrl } = await startListeningSystem());
});
after(() => t.close());

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' } as const;

async function post<T>(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
  return (await response.json()) as T;
}

/** The device entries of the SDK's `keys` store. */
async function storedDevices(databaseName: string) {
  const keys = await rawKeys(databaseName);
  return [...keys].filter(([key]) => key.startsWith('device:')).map(([, value]) => value);
}

/** Writes what earlier SDK versions stored: one `state` entry, the device's private key as a JWK. */
function writeVersion1(databaseName: string, state: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(databaseName, 1);
    open.onupgradeneeded = () => open.result.createObjectStore('state');
    open.onerror = () => reject(open.error ?? new Error('open failed'));
    open.onsuccess = () => {
      const tx = open.result.transaction('state', 'readwrite');
      tx.objectStore('state').put(state, 'state');
      tx.oncomplete = () => {
        open.result.close();
        resolve();
      };
    };
  });
}

describe('device keys', () => {
  it('the private key is a non-extractable CryptoKey in IndexedDB; only the public JWK leaves', async () => {
    const databaseName = `kassa-device-${randomUUID()}`;
    const network = recordingFetch();
    const alice = await signedInClient(t, baseUrl, {
      storage: indexedDbStorage(databaseName),
      fetch: network.fetch,
    });
    await alice.client.enrollDevice('Phone');
    const [device] = (await storedDevices(databaseName)) as Record<string, unknown>[];
    const privateKey = device?.['privateKey'];
    assert.ok(privateKey instanceof CryptoKey);
    assert.deepEqual([privateKey.type, privateKey.extractable], ['private', false]);
    await assert.rejects(crypto.subtle.exportKey('jwk', privateKey));
    assert.ok(!('privateJwk' in (device ?? {})), 'no JWK beside it');
    const enrolment = network.seen.find((r) => r.path === '/v1/devices');
    const sent = JSON.parse(enrolment?.body ?? '{}') as { public_key: JsonWebKey };
    assert.deepEqual(Object.keys(sent.public_key).sort(), ['crv', 'kty', 'x', 'y']);
  });

  it('a private JWK stored by an earlier SDK version is imported once as a non-extractable key and dropped; payments are still signed', async () => {
    const email = `legacy-${randomUUID().slice(0, 8)}@kassa.test`;
    const password = 'correct horse battery';
    const user = await post<{ wallets: { id: string }[] }>('/v1/users', {
      email,
      password,
      name: 'Old Install',
      currency: 'USD',
    });
    await t.fund(user.wallets[0]?.id ?? '', 10_000);
    const tokens = await post<SessionTokens>('/v1/sessions', { email, password });
    const pair = await crypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']);
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const device = await post<{ id: string }>(
      '/v1/devices',
      { name: 'Old phone', public_key: { kty, crv, x, y }, fingerprint: {} },
      { authorization: `Bearer ${tokens.access_token}`, 'idempotency-key': randomUUID() },
    );
    const databaseName = `kassa-legacy-${randomUUID()}`;
    const bob = await signedInClient(t, baseUrl, {}, 0);
    // A payment the old version queued: it was never sealed, so it cannot be checked.
    const unsealed = {
      kind: 'transfer',
      path: '/v1/transfers',
      body: { to: bob.email, amount: 100, currency: 'USD' },
      id: randomUUID(),
      idempotencyKey: randomUUID(),
      state: 'queued_on_device',
      createdAt: new Date(Date.now() - 60_000).toISOString(),
      attempts: 0,
      outcomeUnknown: false,
      result: null,
      error: null,
    };
    await writeVersion1(databaseName, {
      records: { [unsealed.id]: unsealed },
      session: { ...tokens, expires_at_ms: Date.now() + tokens.expires_in * 1000 },
      device: { id: device.id, privateJwk: await crypto.subtle.exportKey('jwk', pair.privateKey) },
    });

    const network = recordingFetch();
    const kassa = await createKassaClient({
      baseUrl,
      storage: indexedDbStorage(databaseName),
      fetch: network.fetch,
    });
    assert.equal(kassa.signedIn(), true, 'still signed in after the update');
    assert.equal(kassa.device()?.id, device.id);
    const sent = await kassa.send({ to: bob.email, amount: 250, currency: 'USD' });
    assert.equal(sent.state, 'succeeded', JSON.stringify(sent));
    const old = kassa.outbox.list().find((r) => r.id === unsealed.id);
    assert.deepEqual(
      [old?.state, old?.error?.code, old?.error?.moneyMoved],
      ['failed', 'record_not_sealed', false],
    );
    assert.equal((await bob.client.wallet(bob.walletId)).balance, 250, 'only the new payment');
    const signed = network.seen.find((r) => r.path === '/v1/transfers');
    assert.equal(signed?.headers.get('kassa-device'), device.id);
    assert.match(signed?.headers.get('kassa-signature') ?? '', /^t=\d+,sig=[A-Za-z0-9_-]+$/);

    const keys = await rawKeys(databaseName);
    assert.ok(!keys.has('legacy-state'), 'the old state (and its JWK) is gone');
    const [migrated] = (await storedDevices(databaseName)) as { privateKey: CryptoKey }[];
    assert.equal(migrated?.privateKey.extractable, false);
    assert.doesNotMatch(JSON.stringify([...keys.values()]), /"d":/, 'no private JWK anywhere');
  });

  it('a refresh is signed by the device like a money request (Kassa-Device, Idempotency-Key, Kassa-Signature)', async () => {
    let clock = Date.now();
    const network = recordingFetch();
    const alice = await signedInClient(t, baseUrl, { fetch: network.fetch, now: () => clock });
    const device = await alice.client.enrollDevice('Phone');
    const enrolment = network.seen.find((r) => r.path === '/v1/devices');
    const publicJwk = (JSON.parse(enrolment?.body ?? '{}') as { public_key: JsonWebKey })
      .public_key;
    clock += 3_600_000;
    await alice.client.me();

    const refresh = network.seen.find((r) => r.path === '/v1/sessions/refresh');
    assert.ok(refresh !== undefined, 'the expired session was refreshed');
    assert.equal(refresh.headers.get('kassa-device'), device.id);
    const key = refresh.headers.get('idempotency-key') ?? '';
    assert.match(key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const [, timestamp = '', signature = ''] =
      /^t=(\d+),sig=([A-Za-z0-9_-]+)$/.exec(refresh.headers.get('kassa-signature') ?? '') ?? [];
    assert.equal(Number(timestamp), Math.floor(clock / 1000), 'made at send time');
    const input = [
      'POST',
      '/v1/sessions/refresh',
      createHash('sha256').update(refresh.body).digest('hex'),
      timestamp,
      key,
    ].join('\n');
    const verifier = await crypto.subtle.importKey('jwk', publicJwk, ecdsa, false, ['verify']);
    assert.ok(
      await crypto.subtle.verify(
        { name: 'ECDSA', hash: 'SHA-256' },
        verifier,
        Buffer.from(signature, 'base64url'),
        new TextEncoder().encode(input),
      ),
      'the signature verifies with the enrolled public key',
    );
  });
});
