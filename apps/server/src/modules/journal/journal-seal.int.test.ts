import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../../../test/support/test-database.ts';
import { newUuid } from '../../kernel/ids.ts';
import { createDb, type Db } from '../../platform/db.ts';
import { appendEvents, journalHead, sealJournal, verifyJournalSeal } from './index.ts';

let db: Db;
let drop: () => Promise<void>;

before(async () => {
  const database = await createTestDatabase();
  drop = () => database.drop();
  db = createDb({ connectionString: database.url, poolSizeMax: 12, applicationName: 'seal-test' });
});
after(async () => {
  await db.close();
  await drop();
});

const nothingAlreadySealed = { alreadySealed: [], alreadySealedCount: 0 };

/** Appends `count` events in one transaction; returns their `seq`s in commit order. */
async function commitEvents(count: number): Promise<string[]> {
  const streamId = newUuid();
  return db.transaction(async (client) => {
    await appendEvents(
      client,
      Array.from({ length: count }, (_, i) => ({
        type: 'ledger.account_opened' as const,
        streamId,
        data: { i },
      })),
    );
    const inserted = await client.query<{ seq: string }>(
      'select e.seq::text as seq from journal_events e where e.stream_id = $1 order by e.seq',
      [streamId],
    );
    return inserted.rows.map((row) => row.seq);
  });
}

async function count(sql: string): Promise<number> {
  const rows = await db.query<{ n: string }>(sql);
  return Number(rows[0]?.n);
}

const unsealedSql = `select count(*)::text as n from journal_events e
  where not exists (select 1 from journal_seals s where s.event_seq = e.seq)`;

/**
 * Waits until every committed event is below the commit horizon (Kassa transactions still running): the
 * sealer leaves newer ones for later, and other test files' transactions hold that horizon back.
 */
async function sealable(): Promise<void> {
  const deadline = Date.now() + 20_000;
  const waitingSql = `select count(*)::text as n from journal_events e
    where e.tx_id >= (select kassa_commit_horizon())`;
  while ((await count(waitingSql)) > 0) {
    assert.ok(Date.now() < deadline, 'the journal never became sealable');
    await sleep(10);
  }
}

/** The chain, first link first: the `event_seq` each position seals. */
async function chain(): Promise<string[]> {
  const rows = await db.query<{ seq: string }>(
    'select s.event_seq::text as seq from journal_seals s order by s.position',
  );
  return rows.map((row) => row.seq);
}

/** Every committed event in commit order, `(tx_id, seq)` compared as numbers. */
async function commitOrder(): Promise<string[]> {
  const rows = await db.query<{ seq: string }>(
    'select e.seq::text as seq from journal_events e order by e.tx_id, e.seq',
  );
  return rows.map((row) => row.seq);
}

describe('sealJournal', () => {
  it('seals a transaction whose seqs cross a power of ten in commit order, and carries on', async () => {
    // Given one transaction with events 1…12 (as text they sort 1, 10, 11, 12, 2, …, 9).
    const first = await commitEvents(12);
    assert.ok(first.includes('9') && first.includes('10'), `seqs ${first.join(',')}`);
    await sealable();

    // When the sealer runs, then again after more commits.
    const firstPass = await sealJournal(db);
    const second = await commitEvents(3);
    await sealable();
    const secondPass = await sealJournal(db);

    // Then every event is sealed once, in commit order, and the chain verifies.
    assert.deepEqual(firstPass, { sealed: 12, ...nothingAlreadySealed });
    assert.deepEqual(secondPass, { sealed: 3, ...nothingAlreadySealed });
    assert.deepEqual(await chain(), [...first, ...second]);
    const verified = await verifyJournalSeal(db.pool);
    assert.equal(verified.intact, true);
    assert.equal(verified.unsealed, 0);
    assert.deepEqual(await sealJournal(db), { sealed: 0, ...nothingAlreadySealed });
  });

  it('the head is the last link once positions cross a power of ten', async () => {
    const links = (await chain()).length;
    assert.ok(links >= 10, `${links} links`);
    assert.equal((await journalHead(db.pool))?.position, String(links));
  });

  it('sealers running at once with writers committing: one chain, in commit order', async () => {
    // Given writers committing transactions of 1 to 13 events (seqs pass 99 and 999) while
    // three sealers with small batches run in a loop.
    let writing = true;
    const writers = Array.from({ length: 6 }, async (_, w) => {
      for (let i = 0; i < 25; i += 1) await commitEvents(((w * 7 + i * 5) % 13) + 1);
    });
    const deadline = Date.now() + 60_000;
    const sealers = Array.from({ length: 3 }, async (_, s) => {
      while (writing || (await count(unsealedSql)) > 0) {
        assert.ok(Date.now() < deadline, 'the sealers never caught up');
        const pass = await sealJournal(db, 5 + s * 4);
        assert.deepEqual(pass.alreadySealed, []);
        if (pass.sealed === 0) await sleep(5);
      }
    });

    // When every writer is done and the sealers caught up (all settled before any failure shows).
    const written = await Promise.allSettled(writers);
    writing = false;
    for (const settled of [...written, ...(await Promise.allSettled(sealers))])
      if (settled.status === 'rejected') throw settled.reason;

    // Then the chain holds every event once, in commit order, and verifies.
    assert.ok(Number((await chain()).at(-1)) > 1_000, 'seqs passed 999');
    assert.deepEqual(await chain(), await commitOrder());
    const verified = await verifyJournalSeal(db.pool);
    assert.equal(verified.intact, true);
    assert.equal(verified.unsealed, 0);
  });

  it('a chain already out of commit order is reported and sealed past, never twice', async () => {
    // Given a chain whose last link is not its greatest event, its head behind events it holds:
    // what the sealer that sorted `(tx_id, seq)` as text wrote (…, 1, 10, 11, 12, 2, …, 9).
    const [a, b, c, d] = await commitEvents(4);
    assert.ok(a !== undefined && b !== undefined && c !== undefined && d !== undefined);
    const links = (await chain()).length;
    await db.query(
      `insert into journal_seals (position, event_seq, tx_id, hash)
       select $1::bigint + o.n, e.seq, e.tx_id, '\\x00'::bytea
         from unnest($2::bigint[]) with ordinality as o(seq, n) join journal_events e using (seq)`,
      [links, [a, c, d, b]],
    );

    // When more events commit and the sealer runs twice (batches of 2: the first one holds
    // nothing but events already sealed).
    const later = await commitEvents(2);
    await sealable();
    const firstPass = await sealJournal(db, 2);
    const secondPass = await sealJournal(db, 2);

    // Then the events sealed out of order are reported, not sealed again, and sealing goes on.
    assert.deepEqual(firstPass, { sealed: 2, alreadySealed: [c, d], alreadySealedCount: 2 });
    assert.deepEqual(secondPass, { sealed: 0, ...nothingAlreadySealed });
    const after = await chain();
    assert.deepEqual(after.slice(links), [a, c, d, b, ...later]);
    assert.equal(new Set(after).size, after.length, 'no event sealed twice');
    assert.equal(await count(unsealedSql), 0, 'no event left out');
  });
});
