import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../../../test/support/test-database.ts';
import { systemClock } from '../../kernel/clock.ts';
import { newUuid } from '../../kernel/ids.ts';
import { createDb, type Db } from '../../platform/db.ts';
import {
  accountFlags,
  createLedger,
  createLedgerWriter,
  transferFlags,
  type Ledger,
  type LedgerCommand,
  type TransferOutcome,
} from './index.ts';

let db: Db;
let ledger: Ledger;
let drop: () => Promise<void>;

before(async () => {
  const database = await createTestDatabase();
  drop = () => database.drop();
  db = createDb({
    connectionString: database.url,
    poolSizeMax: 20,
    applicationName: 'ledger-test',
  });
  const writer = createLedgerWriter({
    db,
    clock: systemClock,
    batchSizeMax: 64,
    lingerMs: 1,
    batchesInFlightMax: 4,
    queueMax: 100_000,
  });
  ledger = createLedger({ db, clock: systemClock, writer });
});
after(async () => {
  await ledger.writer.close();
  await db.close();
  await drop();
});

async function openAccounts(count: number, flags: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newUuid());
  await ledger.openAccounts(
    db.pool,
    ids.map((id) => ({ id, currency: 'USD', code: 'test', flags })),
  );
  return ids;
}

async function fund(accountId: string, amount: bigint): Promise<void> {
  const [source] = await openAccounts(1, 0);
  const [outcome] = await ledger.postBatch([
    {
      id: newUuid(),
      debitAccountId: source,
      creditAccountId: accountId,
      amount,
      code: 'fund',
      flags: 0,
    },
  ]);
  assert.equal(outcome?.status, 'created');
}

function transferCommand(
  debit: string,
  credit: string,
  amount: bigint,
): LedgerCommand<TransferOutcome> {
  return {
    exclusiveKeys: [],
    async prepare() {
      return {
        transfers: [
          {
            id: newUuid(),
            debitAccountId: debit,
            creditAccountId: credit,
            amount,
            code: 'test',
            flags: 0,
          },
        ],
      };
    },
    finish(outcomes) {
      return outcomes[0]!;
    },
  };
}

describe('ledger on PostgreSQL', () => {
  it('50 simultaneous full-balance spends from one wallet: exactly one succeeds (batched writer)', async () => {
    const [wallet, ...targets] = await openAccounts(51, accountFlags.debitsMustNotExceedCredits);
    await fund(wallet!, 1000n);
    const outcomes = await Promise.all(
      targets.map((target) => ledger.writer.execute(transferCommand(wallet!, target, 1000n))),
    );
    assert.equal(outcomes.filter((o) => o.status === 'created').length, 1);
    assert.equal(
      outcomes.filter((o) => o.status === 'rejected' && o.code === 'exceeds_credits').length,
      49,
    );
    const account = (await ledger.getAccounts(db.pool, [wallet!])).get(wallet!);
    assert.ok(account !== undefined);
    assert.equal(account.creditsPosted - account.debitsPosted, 0n);
  });

  it('50 simultaneous full-balance spends in separate transactions: exactly one succeeds', async () => {
    const [wallet, ...targets] = await openAccounts(51, accountFlags.debitsMustNotExceedCredits);
    await fund(wallet!, 700n);
    const outcomes = await Promise.all(
      targets.map((target) =>
        ledger.postBatch([
          {
            id: newUuid(),
            debitAccountId: wallet,
            creditAccountId: target,
            amount: 700n,
            code: 'test',
            flags: 0,
          },
        ]),
      ),
    );
    assert.equal(outcomes.filter(([o]) => o?.status === 'created').length, 1);
  });

  it('A→B and B→A at the same time never deadlock', async () => {
    const [a, b] = await openAccounts(2, accountFlags.debitsMustNotExceedCredits);
    await fund(a!, 10_000n);
    await fund(b!, 10_000n);
    const work = Array.from({ length: 200 }, (_, i) =>
      ledger.postBatch([
        {
          id: newUuid(),
          debitAccountId: i % 2 === 0 ? a : b,
          creditAccountId: i % 2 === 0 ? b : a,
          amount: 3n,
          code: 'x',
          flags: transferFlags.linked,
        },
        {
          id: newUuid(),
          debitAccountId: i % 2 === 0 ? b : a,
          creditAccountId: i % 2 === 0 ? a : b,
          amount: 1n,
          code: 'x',
          flags: 0,
        },
      ]),
    );
    const results = await Promise.all(work);
    assert.ok(results.every((r) => r.every((o) => o.status === 'created')));
    const accounts = await ledger.getAccounts(db.pool, [a!, b!]);
    const balance = (id: string) =>
      accounts.get(id)!.creditsPosted - accounts.get(id)!.debitsPosted;
    assert.equal(balance(a!) + balance(b!), 20_000n);
    assert.equal(balance(a!), 10_000n);
  });

  it('a resent transfer id returns the existing transfer; different fields are refused', async () => {
    const [a, b] = await openAccounts(2, 0);
    const transfer = {
      id: newUuid(),
      debitAccountId: a,
      creditAccountId: b,
      amount: 10n,
      code: 'x',
      flags: 0,
    };
    const [first] = await ledger.postBatch([transfer]);
    const [again, changed] = await ledger.postBatch([transfer, { ...transfer, amount: 11n }]);
    assert.equal(first?.status, 'created');
    assert.equal(again?.status, 'exists');
    assert.deepEqual(changed, { status: 'rejected', code: 'exists_with_different_fields' });
    const accounts = await ledger.getAccounts(db.pool, [a!]);
    assert.equal(accounts.get(a!)?.debitsPosted, 10n);
  });

  it('one rejected chain in a batch does not undo another', async () => {
    const [w, m] = await openAccounts(2, accountFlags.debitsMustNotExceedCredits);
    await fund(w!, 100n);
    const outcomes = await ledger.postBatch([
      { id: newUuid(), debitAccountId: w, creditAccountId: m, amount: 60n, code: 'x', flags: 0 },
      {
        id: newUuid(),
        debitAccountId: w,
        creditAccountId: m,
        amount: 30n,
        code: 'x',
        flags: transferFlags.linked,
      },
      { id: newUuid(), debitAccountId: w, creditAccountId: m, amount: 30n, code: 'x', flags: 0 },
      { id: newUuid(), debitAccountId: w, creditAccountId: m, amount: 40n, code: 'x', flags: 0 },
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['created', 'rejected', 'rejected', 'created'],
    );
    assert.equal((await ledger.getAccounts(db.pool, [w!])).get(w!)?.debitsPosted, 100n);
  });

  it('expires pending transfers past their timeout and releases the funds', async () => {
    const [w, m] = await openAccounts(2, accountFlags.debitsMustNotExceedCredits);
    await fund(w!, 100n);
    const hold = newUuid();
    await ledger.postBatch([
      {
        id: hold,
        debitAccountId: w,
        creditAccountId: m,
        amount: 70n,
        code: 'hold',
        flags: transferFlags.pending,
        timeoutSeconds: 1,
      },
    ]);
    await db.query(
      "update ledger_pending_transfers set expires_at = now() - interval '1 second' where transfer_id = $1",
      [hold],
    );
    assert.ok((await ledger.expirePending(100)) >= 1);
    const account = (await ledger.getAccounts(db.pool, [w!])).get(w!);
    assert.equal(account?.debitsPending, 0n);
    const status = await db.query<{ status: string }>(
      'select status from ledger_pending_transfers where transfer_id = $1',
      [hold],
    );
    assert.equal(status[0]?.status, 'expired');
  });

  it('the database itself refuses a negative wallet, even if the code were wrong', async () => {
    const [w] = await openAccounts(1, accountFlags.debitsMustNotExceedCredits);
    await assert.rejects(
      db.query('update ledger_accounts set debits_posted = 5 where id = $1', [w]),
      /debits_must_not_exceed_credits/,
    );
  });

  it('the journal refuses UPDATE and DELETE', async () => {
    await assert.rejects(
      db.query(
        "update journal_events set type = 'x' where seq = (select min(seq) from journal_events)",
      ),
      /append-only/,
    );
    await assert.rejects(
      db.query('delete from journal_events where seq = (select min(seq) from journal_events)'),
      /append-only/,
    );
    await assert.rejects(db.query('truncate journal_events'), /append-only/);
  });

  it('verify is balanced, then reports a tampered balance and a tampered transfer', async () => {
    const clean = await ledger.verify();
    assert.equal(clean.balanced, true, JSON.stringify(clean.mismatches));
    assert.ok(clean.transfers_checked > 0);
    const [a, b] = await openAccounts(2, 0);
    const id = newUuid();
    await ledger.postBatch([
      { id, debitAccountId: a, creditAccountId: b, amount: 25n, code: 'x', flags: 0 },
    ]);
    await db.query('update ledger_accounts set credits_posted = credits_posted + 1 where id = $1', [
      b,
    ]);
    const tampered = await ledger.verify();
    assert.equal(tampered.balanced, false);
    assert.ok(
      tampered.mismatches.some(
        (m) => m.account === b && m.field === 'credits_posted' && m.source === 'journal',
      ),
    );
    await db.query('update ledger_accounts set credits_posted = credits_posted - 1 where id = $1', [
      b,
    ]);
    await db.query('update ledger_transfers set amount = 26 where id = $1', [id]);
    const rowTampered = await ledger.verify();
    assert.equal(rowTampered.balanced, false);
    assert.ok(rowTampered.mismatches.some((m) => m.source === 'transfers' && m.account === a));
    await db.query('update ledger_transfers set amount = 25 where id = $1', [id]);
    assert.equal((await ledger.verify()).balanced, true);
  });
});
