import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import 'fake-indexeddb/auto';
import type { TestSystem } from '../../../apps/server/test/support/test-system.ts';
import { createKassaClient, KassaApiError, memoryStorage } from '../src/index.ts';
import { recordingFetch, signedInClient, startListeningSystem } from './support.ts';

let t: TestSystem;
let baseUrl: string;
before(async () => {
  ({ t, baseUrl } = await startListeningSystem());
});
after(() => t.close());

const password = 'correct horse battery';

describe('the queue and the device key belong to a user', () => {
  it('a payment Alice queued is never sent with Bob’s session; Bob pays with his own key; Alice’s goes when she is back', async () => {
    let connected = true;
    const network = recordingFetch(() => {
      if (!connected) throw new TypeError('fetch failed: offline');
      return undefined;
    });
    // One browser profile (one storage), one app: Alice, then Bob, then Alice again.
    const shared = { storage: memoryStorage(), fetch: network.fetch, online: () => connected };
    const alice = await signedInClient(t, baseUrl, shared);
    const kassa = alice.client;
    const aliceDevice = await kassa.enrollDevice('Shared phone');
    const bob = await signedInClient(t, baseUrl, {}, 50_000);
    const carol = await signedInClient(t, baseUrl, {}, 0);
    // Alice's balance as seen from elsewhere (the shared client is Bob's for a while).
    const aliceElsewhere = await createKassaClient({ baseUrl, storage: memoryStorage() });
    await aliceElsewhere.logIn({ email: alice.email, password });
    const balances = () =>
      Promise.all(
        [{ ...alice, client: aliceElsewhere }, bob, carol].map(
          async (p) => (await p.client.wallet(p.walletId)).balance,
        ),
      );

    connected = false;
    const queued = await kassa.send({ to: carol.email, amount: 1_000, currency: 'USD' });
    assert.equal(queued.state, 'queued_on_device');
    await kassa.logOut(); // offline: the session is forgotten here all the same
    assert.equal(kassa.signedIn(), false);
    connected = true;

    assert.deepEqual(await kassa.logIn({ email: bob.email, password }), { status: 'signed_in' });
    assert.deepEqual(kassa.outbox.list(), [], 'Bob does not see Alice’s payment as his');
    assert.equal(kassa.outbox.othersWaiting(), 1);
    assert.deepEqual(await kassa.outbox.flush(), [], 'nothing of Alice’s is sent for Bob');
    assert.equal(kassa.device(), null, 'Alice’s device key is not Bob’s');
    const bobDevice = await kassa.enrollDevice('Shared phone');
    assert.notEqual(bobDevice.id, aliceDevice.id);
    const bobPays = await kassa.send({ to: carol.email, amount: 500, currency: 'USD' });
    assert.equal(bobPays.state, 'succeeded', JSON.stringify(bobPays));
    const signedBy = network.seen
      .filter((r) => r.path === '/v1/transfers')
      .map((r) => r.headers.get('kassa-device'));
    assert.deepEqual(signedBy, [bobDevice.id], 'Bob’s payment is signed with Bob’s key');
    assert.deepEqual(await balances(), [100_000, 50_000 - 500, 500]);

    await kassa.logOut();
    await kassa.logIn({ email: alice.email, password });
    assert.equal(kassa.device()?.id, aliceDevice.id, 'Alice’s key is hers again');
    assert.equal(kassa.outbox.othersWaiting(), 0);
    const [sent] = await kassa.outbox.flush();
    assert.equal(sent?.id, queued.id);
    assert.equal(sent?.state, 'succeeded');
    assert.deepEqual(await balances(), [100_000 - 1_000, 50_000 - 500, 1_500]);
  });

  it('the next user can discard another user’s unsent payments: they are never sent', async () => {
    let connected = true;
    const shared = { storage: memoryStorage(), online: () => connected };
    const alice = await signedInClient(t, baseUrl, shared);
    const bob = await signedInClient(t, baseUrl, {}, 0);
    connected = false;
    await alice.client.send({ to: bob.email, amount: 200, currency: 'USD' });
    await alice.client.logOut();
    connected = true;
    await alice.client.logIn({ email: bob.email, password });
    assert.equal(await alice.client.outbox.discardOthers(), 1);
    assert.equal(alice.client.outbox.othersWaiting(), 0);
    await alice.client.logOut();
    await alice.client.logIn({ email: alice.email, password });
    assert.deepEqual(await alice.client.outbox.flush(), []);
    assert.equal((await bob.client.wallet(bob.walletId)).balance, 0);
  });

  it('log-out works without an answer from Kassa, and a session Kassa ended signs the app out', async () => {
    let reachable = true;
    const storage = memoryStorage();
    let clock = Date.now();
    const alice = await signedInClient(t, baseUrl, {
      storage,
      now: () => clock,
      fetch: async (input, init) => {
        if (!reachable) throw new TypeError('fetch failed: connection reset');
        return fetch(input, init);
      },
    });
    reachable = false;
    await alice.client.logOut();
    assert.equal(alice.client.signedIn(), false);
    assert.equal(await storage.readSession(), null);

    // Kassa ends the session (revoked elsewhere); the next refresh learns it.
    reachable = true;
    await alice.client.logIn({ email: alice.email, password });
    const changes: boolean[] = [];
    alice.client.onSessionChange(() => changes.push(alice.client.signedIn()));
    const session = await storage.readSession();
    assert.ok(session !== null);
    const revoked = await fetch(`${baseUrl}/v1/sessions/current`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    assert.equal(revoked.status, 204);
    clock += 3_600_000;
    await assert.rejects(
      alice.client.me(),
      (error: unknown) => error instanceof KassaApiError && error.nextAction === 'log_in',
    );
    assert.equal(alice.client.signedIn(), false, 'signed out here too: the app can offer log-in');
    assert.deepEqual(changes, [false]);
    await alice.client.logOut(); // and log-out still works
    const again = await createKassaClient({ baseUrl, storage });
    assert.equal(again.signedIn(), false);
  });
});
