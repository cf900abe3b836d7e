import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyTransfers } from './apply-transfers.ts';
import {
  accountFlags,
  transferFlags,
  type Account,
  type LedgerState,
  type TransferInput,
} from './ledger-types.ts';

const now = new Date('2026-01-01T00:00:00Z');

function account(id: string, flags = 0, credits = 0n): Account {
  return {
    id,
    currency: 'USD',
    code: 'test',
    flags,
    debitsPosted: 0n,
    creditsPosted: credits,
    debitsPending: 0n,
    creditsPending: 0n,
  };
}

function freshState(accounts: Account[]): LedgerState {
  return {
    accounts: new Map(accounts.map((a) => [a.id, { ...a }])),
    transfers: new Map(),
    pendings: new Map(),
  };
}

/**
 * An independent, deliberately naive model of the ledger: balances per account, pending
 * transfers by id, and a chain applied to a full copy that is kept only if every step is legal.
 */
interface ModelAccount {
  flags: number;
  dp: bigint;
  cp: bigint;
  dq: bigint;
  cq: bigint;
}
interface Model {
  accounts: Map<string, ModelAccount>;
  pending: Map<string, { d: string; c: string; amount: bigint; open: boolean }>;
  ids: Set<string>;
}

function cloneModel(m: Model): Model {
  return {
    accounts: new Map([...m.accounts].map(([k, v]) => [k, { ...v }])),
    pending: new Map([...m.pending].map(([k, v]) => [k, { ...v }])),
    ids: new Set(m.ids),
  };
}

function legal(a: ModelAccount): boolean {
  if (a.flags & 1 && a.dp + a.dq > a.cp) return false;
  if (a.flags & 2 && a.cp + a.cq > a.dp) return false;
  return true;
}

/** No account total may pass 2^53 − 1 (JSON numbers are exact up to there). */
const totalMax = 9007199254740991n;

function modelStep(m: Model, t: TransferInput): boolean {
  if (m.ids.has(t.id)) return false;
  if (t.flags & (transferFlags.postPending | transferFlags.voidPending)) {
    const p = t.pendingId === undefined ? undefined : m.pending.get(t.pendingId);
    if (p === undefined || !p.open) return false;
    const post = (t.flags & transferFlags.postPending) !== 0;
    const amount = post ? (t.amount === 0n ? p.amount : t.amount) : p.amount;
    if (amount > p.amount || (!post && t.amount !== 0n && t.amount !== p.amount)) return false;
    const d = m.accounts.get(p.d)!;
    const c = m.accounts.get(p.c)!;
    d.dq -= p.amount;
    c.cq -= p.amount;
    if (post) {
      d.dp += amount;
      c.cp += amount;
    }
    p.open = false;
  } else {
    if (t.pendingId !== undefined || t.amount <= 0n || t.debitAccountId === t.creditAccountId)
      return false;
    const d = m.accounts.get(t.debitAccountId!);
    const c = m.accounts.get(t.creditAccountId!);
    if (d === undefined || c === undefined) return false;
    if (d.dp + d.dq + t.amount > totalMax || c.cp + c.cq + t.amount > totalMax) return false;
    if (t.flags & transferFlags.pending) {
      d.dq += t.amount;
      c.cq += t.amount;
      m.pending.set(t.id, {
        d: t.debitAccountId!,
        c: t.creditAccountId!,
        amount: t.amount,
        open: true,
      });
    } else {
      d.dp += t.amount;
      c.cp += t.amount;
    }
    if (!legal(d) || !legal(c)) return false;
  }
  m.ids.add(t.id);
  return true;
}

const accountIds = ['a0', 'a1', 'a2', 'a3', 'a4'];

const transferArbitrary = (index: number, pendingPool: string[]) =>
  fc
    .oneof(
      fc.record({
        kind: fc.constant('plain' as const),
        d: fc.constantFrom(...accountIds),
        c: fc.constantFrom(...accountIds),
        amount: fc.bigInt({ min: 0n, max: 300n }),
        linked: fc.boolean(),
        pending: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('resolve' as const),
        target: fc.integer({ min: 0, max: Math.max(0, index) }),
        post: fc.boolean(),
        amount: fc.bigInt({ min: 0n, max: 300n }),
        linked: fc.boolean(),
      }),
    )
    .map((op): TransferInput => {
      const id = `t${index}`;
      if (op.kind === 'plain') {
        if (op.pending) pendingPool.push(id);
        return {
          id,
          debitAccountId: op.d,
          creditAccountId: op.c,
          amount: op.amount,
          code: 'x',
          flags: (op.linked ? transferFlags.linked : 0) | (op.pending ? transferFlags.pending : 0),
        };
      }
      return {
        id,
        pendingId: `t${op.target}`,
        amount: op.post ? op.amount : 0n,
        code: 'x',
        flags:
          (op.linked ? transferFlags.linked : 0) |
          (op.post ? transferFlags.postPending : transferFlags.voidPending),
      };
    });

const batchArbitrary = fc.integer({ min: 1, max: 40 }).chain((n) => {
  const pool: string[] = [];
  return fc.tuple(...Array.from({ length: n }, (_, i) => transferArbitrary(i, pool)));
});

describe('applyTransfers (the ledger decider)', () => {
  it('matches a naive model and keeps Σdebits = Σcredits for any batch', () => {
    fc.assert(
      fc.property(
        batchArbitrary,
        fc.array(fc.bigInt({ min: 0n, max: 500n }), { minLength: 5, maxLength: 5 }),
        (inputs, seeds) => {
          const funding = account('funding');
          const accounts = accountIds.map((id, i) =>
            account(
              id,
              i < 3
                ? accountFlags.debitsMustNotExceedCredits
                : i === 4
                  ? accountFlags.creditsMustNotExceedDebits
                  : 0,
              0n,
            ),
          );
          // Seed balances with a balanced opening: funding → each account; then a3's credits
          // and a4's debits close to the limit, so that batches run into it.
          const state = freshState([funding, account('nearC'), account('nearD'), ...accounts]);
          const opening: TransferInput[] = accountIds.map((id, i) => ({
            id: `open${i}`,
            debitAccountId: 'funding',
            creditAccountId: id,
            amount: (seeds[i] ?? 0n) + 1n,
            code: 'open',
            flags: 0,
          }));
          for (const [id, d, c] of [
            ['nearC', 'nearC', 'a3'],
            ['nearD', 'a4', 'nearD'],
          ] as const)
            opening.push({
              id,
              debitAccountId: d,
              creditAccountId: c,
              amount: totalMax - 600n,
              code: 'open',
              flags: 0,
            });
          const seeded = applyTransfers(state, opening, now);
          const expectedOpen = [
            ...accountIds.map((_, i) => (i === 4 ? 'rejected' : 'created')),
            'created',
            'created',
          ];
          assert.deepEqual(
            seeded.outcomes.map((o) => o.status),
            expectedOpen,
            'account 4 may not be credited beyond its debits',
          );

          let model: Model = { accounts: new Map(), pending: new Map(), ids: new Set() };
          for (const [id, a] of state.accounts)
            model.accounts.set(id, {
              flags: a.flags,
              dp: a.debitsPosted,
              cp: a.creditsPosted,
              dq: a.debitsPending,
              cq: a.creditsPending,
            });
          for (const o of opening) model.ids.add(o.id);

          const applied = applyTransfers(state, inputs, now);
          // Replay chains through the model.
          const expected: string[] = [];
          let start = 0;
          while (start < inputs.length) {
            let end = start;
            while (end < inputs.length - 1 && (inputs[end]!.flags & transferFlags.linked) !== 0)
              end += 1;
            const open = (inputs[end]!.flags & transferFlags.linked) !== 0;
            const copy = cloneModel(model);
            let ok = !open;
            if (ok)
              for (let i = start; i <= end; i += 1)
                if (!modelStep(copy, inputs[i]!)) {
                  ok = false;
                  break;
                }
            if (ok) model = copy;
            for (let i = start; i <= end; i += 1) expected.push(ok ? 'created' : 'rejected');
            start = end + 1;
          }
          assert.deepEqual(
            applied.outcomes.map((o) => o.status),
            expected,
          );
          let debits = 0n;
          let credits = 0n;
          let pendingD = 0n;
          let pendingC = 0n;
          for (const [id, a] of state.accounts) {
            const m = model.accounts.get(id)!;
            assert.deepEqual(
              [a.debitsPosted, a.creditsPosted, a.debitsPending, a.creditsPending],
              [m.dp, m.cp, m.dq, m.cq],
              `account ${id}`,
            );
            debits += a.debitsPosted;
            credits += a.creditsPosted;
            pendingD += a.debitsPending;
            pendingC += a.creditsPending;
          }
          assert.equal(debits, credits);
          assert.equal(pendingD, pendingC);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('rejects a whole linked chain when one transfer fails, and names the cause', () => {
    const state = freshState([
      account('w', accountFlags.debitsMustNotExceedCredits, 100n),
      account('m'),
      account('f'),
    ]);
    const result = applyTransfers(
      state,
      [
        {
          id: '1',
          debitAccountId: 'w',
          creditAccountId: 'm',
          amount: 60n,
          code: 'pay',
          flags: transferFlags.linked,
        },
        { id: '2', debitAccountId: 'w', creditAccountId: 'f', amount: 50n, code: 'fee', flags: 0 },
        { id: '3', debitAccountId: 'w', creditAccountId: 'm', amount: 100n, code: 'pay', flags: 0 },
      ],
      now,
    );
    assert.deepEqual(
      result.outcomes.map((o) => (o.status === 'rejected' ? o.code : o.status)),
      ['linked_event_failed', 'exceeds_credits', 'created'],
    );
    assert.equal(state.accounts.get('w')?.debitsPosted, 100n);
    assert.equal(result.created.length, 1);
  });

  it('treats a resent transfer id as idempotent, and a changed one as a conflict', () => {
    const state = freshState([account('a'), account('b')]);
    const t = {
      id: 'x',
      debitAccountId: 'a',
      creditAccountId: 'b',
      amount: 5n,
      code: 'c',
      flags: 0,
    };
    applyTransfers(state, [t], now);
    const again = applyTransfers(state, [t, { ...t, amount: 6n }], now);
    assert.deepEqual(
      again.outcomes.map((o) => o.status),
      ['exists', 'rejected'],
    );
    assert.equal(state.accounts.get('a')?.debitsPosted, 5n);
  });

  it('posts part of a hold, releases the rest, and refuses a second resolution or an expired hold', () => {
    const state = freshState([
      account('w', accountFlags.debitsMustNotExceedCredits, 100n),
      account('m'),
    ]);
    applyTransfers(
      state,
      [
        {
          id: 'h',
          debitAccountId: 'w',
          creditAccountId: 'm',
          amount: 80n,
          code: 'hold',
          flags: transferFlags.pending,
          timeoutSeconds: 60,
        },
      ],
      now,
    );
    assert.equal(state.accounts.get('w')?.debitsPending, 80n);
    const posted = applyTransfers(
      state,
      [{ id: 'p', pendingId: 'h', amount: 30n, code: 'capture', flags: transferFlags.postPending }],
      now,
    );
    assert.equal(posted.outcomes[0]?.status, 'created');
    assert.deepEqual(
      [state.accounts.get('w')?.debitsPosted, state.accounts.get('w')?.debitsPending],
      [30n, 0n],
    );
    const again = applyTransfers(
      state,
      [{ id: 'v', pendingId: 'h', amount: 0n, code: 'void', flags: transferFlags.voidPending }],
      now,
    );
    assert.deepEqual(again.outcomes[0], {
      status: 'rejected',
      code: 'pending_transfer_already_posted',
    });

    applyTransfers(
      state,
      [
        {
          id: 'h2',
          debitAccountId: 'w',
          creditAccountId: 'm',
          amount: 10n,
          code: 'hold',
          flags: transferFlags.pending,
          timeoutSeconds: 1,
        },
      ],
      now,
    );
    const late = new Date(now.getTime() + 2000);
    const expired = applyTransfers(
      state,
      [
        {
          id: 'p2',
          pendingId: 'h2',
          amount: 0n,
          code: 'capture',
          flags: transferFlags.postPending,
        },
      ],
      late,
    );
    assert.deepEqual(expired.outcomes[0], { status: 'rejected', code: 'pending_transfer_expired' });
    const released = applyTransfers(
      state,
      [
        {
          id: 'e2',
          pendingId: 'h2',
          amount: 0n,
          code: 'expired',
          flags: transferFlags.voidPending,
          expiry: true,
        },
      ],
      late,
    );
    assert.equal(released.outcomes[0]?.status, 'created');
    assert.equal(state.pendings.get('h2')?.status, 'expired');
    assert.equal(state.accounts.get('w')?.debitsPending, 0n);
  });

  it('keeps every account total JSON-safe: nothing may pass 2^53 − 1, posted and pending together', () => {
    const max = 9007199254740991n;
    const state = freshState([account('a'), account('b'), account('c'), account('d')]);
    const plain = (id: string, d: string, c: string, amount: bigint, flags = 0): TransferInput => ({
      id,
      debitAccountId: d,
      creditAccountId: c,
      amount,
      code: 'x',
      flags,
    });
    const result = applyTransfers(
      state,
      [
        plain('1', 'a', 'b', max - 10n),
        // b's credits would pass the limit; a's debits would too.
        plain('2', 'c', 'b', 11n),
        plain('3', 'a', 'c', 11n),
        // Pending amounts count: a hold of 10 fills b's credits, then nothing more fits.
        plain('4', 'c', 'b', 10n, transferFlags.pending),
        plain('5', 'd', 'b', 1n),
        plain('6', 'd', 'b', 1n, transferFlags.pending),
        // Exactly at the limit is allowed.
        plain('7', 'a', 'd', 10n),
      ],
      now,
    );
    assert.deepEqual(
      result.outcomes.map((o) => (o.status === 'rejected' ? o.code : o.status)),
      [
        'created',
        'overflows_credits',
        'overflows_debits',
        'created',
        'overflows_credits',
        'overflows_credits',
        'created',
      ],
    );
    assert.equal(state.accounts.get('a')?.debitsPosted, max);
    // Posting the hold moves it from pending to posted: the total stays at the limit.
    const posted = applyTransfers(
      state,
      [{ id: '8', pendingId: '4', amount: 0n, code: 'x', flags: transferFlags.postPending }],
      now,
    );
    assert.equal(posted.outcomes[0]?.status, 'created');
    assert.equal(state.accounts.get('b')?.creditsPosted, max);
  });

  it('refuses an open linked chain at the end of a batch', () => {
    const state = freshState([account('a'), account('b')]);
    const result = applyTransfers(
      state,
      [
        {
          id: '1',
          debitAccountId: 'a',
          creditAccountId: 'b',
          amount: 1n,
          code: 'c',
          flags: transferFlags.linked,
        },
      ],
      now,
    );
    assert.deepEqual(result.outcomes[0], { status: 'rejected', code: 'linked_event_chain_open' });
  });
});
