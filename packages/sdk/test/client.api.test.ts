import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import 'fake-indexeddb/auto';
import type { TestSystem } from '../../../apps/server/test/support/test-system.ts';
import {
  createKassaClient,
  indexedDbStorage,
  KassaApiError,
  memoryStorage,
  OfflineLimitError,
} from '../src/index.ts';
import { signedInClient, startListeningSystem } from './support.ts';

let t: TestSystem;
let baseUrl: string;
before(async () => {
  ({ t, baseUrl } = await startListeningSystem());
});
after(() => t.close());

describe('the SDK against the running API', () => {
  it('signs up, enrolls a device, sends signed money and pays a merchant; a decline is failed with money_moved false', async () => {
    const alice = await signedInClient(t, baseUrl);
    const bob = await signedInClient(t, baseUrl, {}, 0);
    const device = await alice.client.enrollDevice('Test phone');
    assert.match(device.id, /^dev_/);
    assert.equal(device.trusted, true, 'the first device is trusted');

    // An app flushes on start with nothing queued: later payments must still go out at once.
    assert.deepEqual(await alice.client.outbox.flush(), []);
    const sent = await alice.client.send({ to: bob.email, amount: 1_500, currency: 'USD' });
    assert.equal(sent.state, 'succeeded', JSON.stringify(sent));
    assert.equal(sent.result?.status, 'succeeded');
    assert.equal(sent.attempts, 1);
    const signed = await t.system.db.query<{ n: string }>(
      'select count(*)::text as n from device_signatures_seen',
    );
    assert.ok(Number(signed[0]?.n) >= 1, 'the request was signed by the device');
    assert.equal((await bob.client.wallet(bob.walletId)).balance, 1_500);

    const merchant = await t.createMerchant();
    const shop = await alice.client.merchant(merchant.id);
    assert.equal(shop.name, 'Test Shop');
    const paid = await alice.client.pay({ merchant: merchant.id, amount: 2_000, currency: 'USD' });
    assert.equal(paid.state, 'succeeded');

    const declined = await alice.client.send({ to: bob.email, amount: 99_000, currency: 'USD' });
    assert.equal(declined.state, 'failed');
    assert.equal(declined.error?.code, 'insufficient_funds');
    assert.equal(declined.error?.moneyMoved, false);
    assert.equal((await alice.client.wallet(alice.walletId)).balance, 100_000 - 3_500);
  });

  it('a reply lost on the way back is retried with the same key: one transfer, not two', async () => {
    let lose = 2;
    const calls: string[] = [];
    const alice = await signedInClient(t, baseUrl, {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const key = new Headers(init?.headers).get('idempotency-key');
        if (key !== null) calls.push(key);
        if (key !== null && lose > 0) {
          lose -= 1;
          await response.text();
          throw new TypeError('fetch failed: connection reset');
        }
        return response;
      },
    });
    const bob = await signedInClient(t, baseUrl, {}, 0);
    const sent = await alice.client.send({ to: bob.email, amount: 700, currency: 'USD' });
    assert.equal(sent.state, 'succeeded', JSON.stringify(sent));
    assert.equal(sent.attempts, 3);
    assert.equal(sent.outcomeUnknown, false);
    assert.deepEqual(new Set(calls), new Set([sent.idempotencyKey]), 'one key for every attempt');
    assert.equal((await bob.client.wallet(bob.walletId)).balance, 700);
  });

  it('offline: payments are queued on the device within its limit, never shown as paid, sent once when back', async () => {
    let connected = true;
    let requestsWhileOffline = 0;
    const alice = await signedInClient(t, baseUrl, {
      online: () => connected,
      offlineLimitMinor: 5_000,
      fetch: async (input, init) => {
        if (!connected) {
          requestsWhileOffline += 1;
          throw new TypeError('fetch failed: offline');
        }
        return fetch(input, init);
      },
    });
    const bob = await signedInClient(t, baseUrl, {}, 0);
    connected = false;
    const first = await alice.client.send({ to: bob.email, amount: 2_000, currency: 'USD' });
    const second = await alice.client.send({ to: bob.email, amount: 3_000, currency: 'USD' });
    assert.deepEqual([first.state, second.state], ['queued_on_device', 'queued_on_device']);
    assert.equal(first.result, null, 'a queued payment has no result: it is not paid');
    await assert.rejects(
      alice.client.send({ to: bob.email, amount: 1, currency: 'USD' }),
      (error: unknown) => error instanceof OfflineLimitError && error.moneyMoved === false,
    );
    assert.equal(alice.client.outbox.list().length, 2, 'a refused payment is not stored');
    assert.equal(requestsWhileOffline, 0, 'offline, nothing is attempted');

    connected = true;
    const flushed = await alice.client.outbox.flush();
    assert.deepEqual(
      flushed.map((r) => r.state),
      ['succeeded', 'succeeded'],
    );
    assert.equal((await bob.client.wallet(bob.walletId)).balance, 5_000);
    assert.deepEqual(await alice.client.outbox.flush(), [], 'nothing left to send');
  });

  it('an expired access token is refreshed once, and the call goes through', async () => {
    let clock = Date.now();
    const alice = await signedInClient(t, baseUrl, { now: () => clock });
    const before = await alice.client.me();
    clock += 3_600_000; // past the access token's lifetime: the SDK refreshes before calling
    const after = await alice.client.me();
    assert.equal(after.id, before.id);
    await alice.client.logOut();
    await assert.rejects(
      alice.client.me(),
      (error: unknown) => error instanceof KassaApiError && error.status === 401,
    );
  });

  it('a device key Kassa no longer accepts fails the payment at once (money_moved false), never queues it forever', async () => {
    const storage = memoryStorage();
    const alice = await signedInClient(t, baseUrl, { storage });
    const bob = await signedInClient(t, baseUrl, {}, 0);
    await alice.client.enrollDevice('Old phone');
    // The stored private key no longer matches the enrolled public key.
    const other = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ]);
    const [device] = await storage.readDevices();
    assert.ok(device !== undefined);
    await storage.writeDevice(device.owner, { ...device, privateKey: other.privateKey });
    const restarted = await createKassaClient({ baseUrl, storage });
    const sent = await restarted.send({ to: bob.email, amount: 100, currency: 'USD' });
    assert.equal(sent.state, 'failed');
    assert.equal(sent.error?.code, 'invalid_device_signature');
    assert.equal(sent.error?.moneyMoved, false);
    assert.equal((await bob.client.wallet(bob.walletId)).balance, 0);
  });

  it('IndexedDB storage keeps the outbox for the next start (fake-indexeddb in Node)', async () => {
    const storage = indexedDbStorage(`kassa-test-${Date.now()}`);
    let connected = true;
    const offline = { online: () => connected };
    const first = await signedInClient(t, baseUrl, { storage, ...offline });
    connected = false;
    const queued = await first.client.send({ to: 'bo@kassa.test', amount: 100, currency: 'USD' });
    assert.equal(queued.state, 'queued_on_device');
    const reopened = await createKassaClient({ baseUrl, storage, ...offline });
    assert.deepEqual(
      reopened.outbox.list().map((r) => [r.id, r.state, r.idempotencyKey, r.body.amount]),
      [[queued.id, 'queued_on_device', queued.idempotencyKey, 100]],
    );
    const elsewhere = await createKassaClient({ baseUrl, storage: memoryStorage(), ...offline });
    assert.equal(elsewhere.outbox.list().length, 0);
  });
});
