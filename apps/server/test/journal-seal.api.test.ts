import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import { sealJournal, verifyJournalSeal } from '../src/modules/journal/index.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

/** Seals until every committed event is in the chain (other tests' transactions may hold it back a moment). */
async function sealAll() {
  for (let i = 0; i < 200; i += 1) {
    await sealJournal(t.system.db);
    const state = await verifyJournalSeal(t.system.db.pool);
    if (state.unsealed === 0) return state;
    await sleep(25);
  }
  throw new Error('the journal did not get sealed');
}

it('the worker seals the journal into a hash chain; an edited or deleted event breaks it', async () => {
  const alice = await t.signUp();
  const bob = await t.signUp();
  await t.fund(alice.walletId, 10_000);
  for (let i = 0; i < 5; i += 1)
    await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key: randomUUID(),
      body: { to: bob.email, amount: 100 + i, currency: 'USD' },
    });
  const ran = await t.system.startWorker(3_600_000).runOnce();
  assert.ok(ran.journalSealed > 0);
  const sealed = await sealAll();
  assert.equal(sealed.intact, true);
  assert.ok(sealed.sealed >= 10);

  const db = t.system.db;
  const victim = await db.query<{ seq: string }>(
    "select seq::text from journal_events where type = 'transfer.created' order by seq limit 1",
  );
  await db.query('alter table journal_events disable trigger journal_events_no_update_delete');
  try {
    await db.query(
      `update journal_events set data = jsonb_set(data, '{amount}', '"1"') where seq = $1`,
      [victim[0]?.seq],
    );
    const edited = await verifyJournalSeal(db.pool);
    assert.equal(edited.intact, false);
    assert.ok(edited.first_broken_position !== null);
  } finally {
    await db.query('alter table journal_events enable trigger journal_events_no_update_delete');
  }
  await assert.rejects(db.query('delete from journal_seals'), /append-only/);
});
