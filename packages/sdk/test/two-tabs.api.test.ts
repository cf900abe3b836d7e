import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import 'fake-indexeddb/auto';
import type { TestSystem } from '../../../apps/server/test/support/test-system.ts';
import {
  createKassaClient,
  indexedDbStorage,
  OfflineLimitError,
  type KassaClientOptions,
} from '../src/index.ts';
import { rawRecords } from './raw-indexeddb.ts';
import { recordingFetch, signedInClient, startListeningSystem, waitFor } from './support.ts';

let t: TestSystem;
let baseUrl: string;
before(async () => {
  ({ t, baseUrl } = await startListeningSystem());
});
after(() => t.close());

/**
 * Alice signed in, then a second tab: each tab its own client and its own indexedDbStorage on
 * the same database (fake-indexeddb), as two tabs of one browser profile have.
 */
async function twoTabs(options: Partial<KassaClientOptions> = {}) {
  const databaseName = `kassa-tabs-${randomUUID()}`;
  const alice = await signedInClient(t, baseUrl, {
    ...options,
    storage: indexedDbStorage(databaseName),
  });
  const second = await createKassaClient({
    baseUrl,
    ...options,
    storage: indexedDbStorage(databaseName),
  });
  return { databaseName, alice, tabs: [alice.client, second] as const };
}

async function revokedFamilies(): Promise<number> {
  const rows = await t.system.db.query<{ n: string }>(
    'select count(*)::text as n from refresh_tokens where revoked_at is not null',
  );
  return Number(rows[0]?.n);
}

describe('two tabs of one browser profile', () => {
  it('payments queued in two tabs at once are all kept, and each is sent exactly once', async () => {
    let connected = false;
    const network = recordingFetch(() => {
      if (!connected) throw new TypeError('fetch failed: offline');
      return undefined;
    });
    connected = true;
    const { databaseName, tabs } = await twoTabs({
      fetch: network.fetch,
      online: () => connected,
    });
    const bob = await signedInClient(t, baseUrl, {}, 0);
    connected = false;
    const [one, two] = tabs;
    const queued = await Promise.all([
      one.send({ to: bob.email, amount: 1_000, currency: 'USD' }),
      two.send({ to: bob.email, amount: 2_000, currency: 'USD' }),
      one.send({ to: bob.email, amount: 500, currency: 'USD' }),
    ]);
    assert.deepEqual(
      (await rawRecords(databaseName)).map((r) => r['id']).sort(),
      queued.map((r) => r.id).sort(),
      'no tab erased another tab’s payment',
    );
    await waitFor(() => two.outbox.list().length === 3, 'the other tab sees all three');

    connected = true;
    await Promise.all([one.outbox.flush(), two.outbox.flush()]);
    const sends = network.seen.filter((r) => r.path === '/v1/transfers');
    assert.equal(sends.length, 3, 'one tab flushed; no payment was sent twice');
    assert.equal((await bob.client.wallet(bob.walletId)).balance, 3_500);
    await waitFor(
      () => [one, two].every((tab) => tab.outbox.list().every((r) => r.state === 'succeeded')),
      'both tabs show every payment as paid',
    );
  });

  it('the offline limit holds across tabs: two tabs cannot both queue up to it', async () => {
    let connected = true;
    const { tabs } = await twoTabs({ online: () => connected, offlineLimitMinor: 5_000 });
    connected = false;
    const results = await Promise.allSettled(
      tabs.map((tab) => tab.send({ to: 'bo@kassa.test', amount: 3_000, currency: 'USD' })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected');
    assert.ok(refused?.reason instanceof OfflineLimitError, String(refused?.reason));
    assert.equal(refused.reason.queuedMinor, 3_000);
  });

  it('two tabs refreshing at once: one refresh, both use the new tokens, and the session lives on', async () => {
    let clock = Date.now();
    const network = recordingFetch();
    const { alice, tabs } = await twoTabs({ fetch: network.fetch, now: () => clock });
    await alice.client.enrollDevice('Laptop');
    const revokedBefore = await revokedFamilies();
    clock += 3_600_000; // both tabs find the access token expired at the same moment
    const answers = await Promise.all(tabs.map((tab) => tab.me()));
    assert.deepEqual(
      answers.map((me) => me.id),
      [alice.me.id, alice.me.id],
    );
    const refreshes = network.seen.filter((r) => r.path === '/v1/sessions/refresh');
    assert.equal(refreshes.length, 1, 'the tab that waited used the other tab’s new tokens');
    assert.equal(await revokedFamilies(), revokedBefore, 'no refresh token was used twice');
    // Later, each tab keeps working with the shared session.
    clock += 3_600_000;
    await tabs[1].me();
    await tabs[0].me();
    assert.equal(network.seen.filter((r) => r.path === '/v1/sessions/refresh').length, 2);
    assert.equal(await revokedFamilies(), revokedBefore);
  });

  it('a log-out in one tab signs the other out too', async () => {
    const { tabs } = await twoTabs();
    const [one, two] = tabs;
    let heard = false;
    two.onSessionChange(() => (heard = true));
    await one.logOut();
    await waitFor(() => heard, 'the other tab hears of the log-out');
    assert.equal(two.signedIn(), false);
  });
});
