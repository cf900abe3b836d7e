import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import 'fake-indexeddb/auto';
import type { TestSystem } from '../../../apps/server/test/support/test-system.ts';
import { createKassaClient, indexedDbStorage } from '../src/index.ts';
import { putRawRecord, rawKeys, rawRecords } from './raw-indexeddb.ts';
import { recordingFetch, signedInClient, startListeningSystem } from './support.ts';

let t: TestSystem;
let baseUrl: string;
before(async () => {
  ({ t, baseUrl } = await startListeningSystem());
});
after(() => t.close());

const accountRoutes = new Set(['/v1/users', '/v1/sessions', '/v1/sessions/refresh', '/v1/devices']);

/**
 * Alice on IndexedDB (fake-indexeddb), a network that records every request, and a switch for
 * the connection; Bob and Carol to receive.
 */
async function phone(offlineLimitMinor = 5_000) {
  const databaseName = `kassa-integrity-${randomUUID()}`;
  let connected = true;
  const network = recordingFetch(() => {
    if (!connected) throw new TypeError('fetch failed: offline');
    return undefined;
  });
  const options = {
    storage: indexedDbStorage(databaseName),
    fetch: network.fetch,
    online: () => connected,
    offlineLimitMinor,
  };
  const alice = await signedInClient(t, baseUrl, options);
  const [bob, carol] = await Promise.all([
    signedInClient(t, baseUrl, {}, 0),
    signedInClient(t, baseUrl, {}, 0),
  ]);
  return {
    databaseName,
    alice,
    bob,
    carol,
    options,
    setOnline: (value: boolean) => void (connected = value),
    /** Requests that could move money (not signing up, logging in or enrolling a device). */
    moneyRequests: () =>
      network.seen.filter((r) => r.method === 'POST' && !accountRoutes.has(r.path)),
    balances: async () =>
      Promise.all([bob, carol].map(async (p) => (await p.client.wallet(p.walletId)).balance)),
  };
}

describe('offline queue integrity: what leaves the device is what the person reviewed', () => {
  it('a queued payment edited in IndexedDB (amount, recipient, route) is refused: failed, money_moved false, never sent', async () => {
    const p = await phone();
    p.setOnline(false);
    const queued = await p.alice.client.send({ to: p.bob.email, amount: 1_000, currency: 'USD' });
    assert.equal(queued.state, 'queued_on_device');
    // Someone edits the stored record: 400.00 (over the 50.00 offline limit) to Carol instead.
    const [stored] = await rawRecords(p.databaseName);
    assert.ok(stored !== undefined);
    await putRawRecord(p.databaseName, {
      ...stored,
      path: '/v1/payouts',
      body: { to: p.carol.email, amount: 40_000, currency: 'USD' },
    });

    p.setOnline(true);
    const before = p.moneyRequests().length;
    const [refused] = await p.alice.client.outbox.flush();
    assert.equal(refused?.state, 'failed');
    assert.equal(refused?.error?.code, 'record_not_as_reviewed');
    assert.equal(refused?.error?.moneyMoved, false);
    assert.deepEqual(p.moneyRequests().slice(before), [], 'nothing was sent');
    assert.deepEqual(await p.balances(), [0, 0]);
    assert.deepEqual(await p.alice.client.outbox.flush(), [], 'and it is never retried');
  });

  it('a record added in IndexedDB is never sent: not an allowed route, or no valid MAC', async () => {
    const p = await phone();
    const owner = p.alice.client.userId();
    const forged = (kind: string, body: object) => ({
      kind,
      path: '/v1/payouts',
      body,
      id: randomUUID(),
      owner,
      idempotencyKey: randomUUID(),
      createdAt: new Date(Date.now() - 60_000).toISOString(),
      queuedOffline: false,
      mac: 'AAAA',
      state: 'queued_on_device',
      attempts: 0,
      outcomeUnknown: false,
      result: null,
      error: null,
    });
    const bankAccount = { bank_account: 'GB00 0000', amount: 20_000, currency: 'USD' };
    await putRawRecord(p.databaseName, forged('payout', bankAccount));
    await putRawRecord(
      p.databaseName,
      forged('transfer', { to: p.carol.email, amount: 20_000, currency: 'USD' }),
    );

    const flushed = await p.alice.client.outbox.flush();
    assert.deepEqual(flushed.map((r) => [r.state, r.error?.code, r.error?.moneyMoved]).sort(), [
      ['failed', 'record_not_as_reviewed', false],
      ['failed', 'route_not_allowed', false],
    ]);
    assert.deepEqual(
      p.moneyRequests().filter((r) => r.path !== '/v1/devices'),
      [],
    );
    assert.deepEqual(await p.balances(), [0, 0]);

    // A real payment after them still goes out, to the allow-listed route.
    const sent = await p.alice.client.send({ to: p.bob.email, amount: 700, currency: 'USD' });
    assert.equal(sent.state, 'succeeded', JSON.stringify(sent));
    assert.deepEqual(
      p.moneyRequests().map((r) => r.path),
      ['/v1/transfers'],
    );
    assert.deepEqual(await p.balances(), [700, 0]);
  });

  it('the stored path is never used: a reviewed record goes to its kind’s route whatever path is stored', async () => {
    const p = await phone();
    p.setOnline(false);
    await p.alice.client.pay({
      merchant: (await t.createMerchant()).id,
      amount: 900,
      currency: 'USD',
    });
    const [stored] = await rawRecords(p.databaseName);
    await putRawRecord(p.databaseName, { ...stored, path: '/v1/payouts' });
    p.setOnline(true);
    const [paid] = await p.alice.client.outbox.flush();
    assert.equal(paid?.state, 'succeeded', JSON.stringify(paid));
    assert.deepEqual(
      p.moneyRequests().map((r) => r.path),
      ['/v1/payments'],
    );
  });

  it('the offline limit is checked again when a payment queued offline is sent', async () => {
    const p = await phone(5_000);
    p.setOnline(false);
    const queued = await p.alice.client.send({ to: p.bob.email, amount: 4_000, currency: 'USD' });
    assert.equal(queued.state, 'queued_on_device');
    // The app (or its service worker) that sends it allows only 30.00 offline.
    p.setOnline(true);
    const stricter = await createKassaClient({ baseUrl, ...p.options, offlineLimitMinor: 3_000 });
    const [refused] = await stricter.outbox.flush();
    assert.equal(refused?.state, 'failed');
    assert.equal(refused?.error?.code, 'offline_limit_exceeded');
    assert.equal(refused?.error?.moneyMoved, false);
    assert.deepEqual(await p.balances(), [0, 0]);
    // Made online, the same amount is not an offline payment: it goes.
    const online = await stricter.send({ to: p.bob.email, amount: 4_000, currency: 'USD' });
    assert.equal(online.state, 'succeeded');
    assert.deepEqual(await p.balances(), [4_000, 0]);
  });

  it('records are sealed with a non-extractable HMAC key kept in IndexedDB', async () => {
    const p = await phone();
    p.setOnline(false);
    await p.alice.client.send({ to: p.bob.email, amount: 100, currency: 'USD' });
    const key = (await rawKeys(p.databaseName)).get('record-key');
    assert.ok(key instanceof CryptoKey);
    assert.equal(key.extractable, false);
    assert.deepEqual(key.algorithm, { name: 'HMAC', length: 256, hash: { name: 'SHA-256' } });
    await assert.rejects(crypto.subtle.exportKey('raw', key));
    const [stored] = await rawRecords(p.databaseName);
    assert.match(String(stored?.['mac']), /^[A-Za-z0-9_-]{43}$/, 'HMAC-SHA-256, base64url');
  });

  it('a payment answered with a captive portal’s page is not paid: retried with the same key, applied once', async () => {
    let portal = 1;
    const network = recordingFetch((request) => {
      if (request.path === '/v1/transfers' && portal > 0) {
        portal -= 1;
        return new Response('<html>Sign in to the Wi-Fi</html>', { status: 200 });
      }
      return undefined;
    });
    const alice = await signedInClient(t, baseUrl, { fetch: network.fetch });
    const bob = await signedInClient(t, baseUrl, {}, 0);
    const sent = await alice.client.send({ to: bob.email, amount: 300, currency: 'USD' });
    assert.equal(sent.state, 'succeeded', JSON.stringify(sent));
    assert.equal(sent.attempts, 2, 'the portal page was one unanswered attempt');
    const keys = network.seen.filter((r) => r.path === '/v1/transfers');
    assert.deepEqual(
      keys.map((r) => r.headers.get('idempotency-key')),
      [sent.idempotencyKey, sent.idempotencyKey],
    );
    assert.equal((await bob.client.wallet(bob.walletId)).balance, 300);
  });
});
