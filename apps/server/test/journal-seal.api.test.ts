import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAnchors, sealJournal, verifyJournalSeal } from '../src/modules/journal/index.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

const anchorFile = join(tmpdir(), `kassa-anchors-${randomUUID()}.jsonl`);
let t: TestSystem;
before(async () => {
  t = await startTestSystem({ env: { KASSA_JOURNAL_ANCHOR_FILE: anchorFile } });
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

it('a chain rewritten together with its events passes the database alone, not the anchors kept outside it', async () => {
  const alice = await t.signUp();
  await t.fund(alice.walletId, 5_000);
  await sealAll();
  const worker = t.system.startWorker(3_600_000);
  await worker.runOnce();
  await worker.stop();
  const anchors = readAnchors(anchorFile);
  const head = anchors.at(-1);
  assert.ok(head !== undefined, 'the worker anchored the head');
  const stored = await t.system.db.query<{ hash: Buffer }>(
    'select hash from journal_seals where position = $1',
    [head.position],
  );
  assert.equal(stored[0]?.hash.toString('hex'), head.hash);

  // The attacker owns the database: edits an event, drops every seal and seals again.
  const db = t.system.db;
  await db.query('alter table journal_events disable trigger journal_events_no_update_delete');
  await db.query('alter table journal_seals disable trigger journal_seals_no_update_delete');
  try {
    const edited = await db.pool.query(
      `update journal_events set data = jsonb_set(data, '{tampered}', 'true')
        where seq = (select event_seq from journal_seals where position = $1)`,
      [head.position],
    );
    assert.equal(edited.rowCount, 1);
    await db.query('delete from journal_seals');
  } finally {
    await db.query('alter table journal_events enable trigger journal_events_no_update_delete');
    await db.query('alter table journal_seals enable trigger journal_seals_no_update_delete');
  }
  const resealed = await sealAll();
  assert.equal(resealed.intact, true, 'the database alone cannot tell');
  const checked = await verifyJournalSeal(db.pool, anchors);
  assert.equal(checked.intact, false);
  assert.ok(checked.anchor_mismatch !== null);
  assert.ok(BigInt(checked.anchor_mismatch.position) <= BigInt(head.position));

  // A history cut short (an anchor beyond the chain's end) is caught too.
  const beyond = [
    { position: String(BigInt(head.position) + 1_000_000n), hash: head.hash, at: 'x' },
  ];
  assert.equal((await verifyJournalSeal(db.pool, beyond)).intact, false);
});
