import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import { createTestDatabase } from '../../../test/support/test-database.ts';
import { stepUpReason, type StepUpInput } from './domain/step-up-rules.ts';

/**
 * The step-up rule runs in PostgreSQL (`kassa_step_up_reason`, migration 0017) so a decision is
 * one round trip; domain/step-up-rules.ts stays the rule's statement. They must agree on every
 * input, boundaries included.
 */
let client: pg.Client;
let drop: () => Promise<void>;
before(async () => {
  const database = await createTestDatabase();
  drop = () => database.drop();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
after(async () => {
  await client.end();
  await drop();
});

const limit = fc.bigInt({ min: 1n, max: 10n ** 12n });
const input: fc.Arbitrary<StepUpInput> = fc
  .record({
    perPaymentMinor: limit,
    dailyMinor: limit,
    // Amounts and totals around the thresholds as often as far from them.
    amountDelta: fc.bigInt({ min: -3n, max: 3n }),
    dayDelta: fc.bigInt({ min: -3n, max: 3n }),
    far: fc.boolean(),
    velocityMax: fc.integer({ min: 1, max: 50 }),
    recentPayments: fc.integer({ min: 1, max: 60 }),
    device: fc.constantFrom('trusted' as const, 'untrusted' as const, 'unsigned' as const),
    flaggedByPolicy: fc.boolean(),
  })
  .map((r) => {
    const amountMinor = r.far
      ? (r.perPaymentMinor * 7n) / 5n + r.amountDelta
      : r.perPaymentMinor + r.amountDelta;
    return {
      amountMinor: amountMinor < 1n ? 1n : amountMinor,
      limits: { perPaymentMinor: r.perPaymentMinor, dailyMinor: r.dailyMinor },
      dayMinor: r.dailyMinor + r.dayDelta < 0n ? 0n : r.dailyMinor + r.dayDelta,
      recentPayments: r.recentPayments,
      velocityMax: r.velocityMax,
      device: r.device,
      flaggedByPolicy: r.flaggedByPolicy,
    };
  });

it('kassa_step_up_reason agrees with stepUpReason on every input', async () => {
  await fc.assert(
    fc.asyncProperty(input, async (i) => {
      const rows = await client.query<{ reason: string | null }>(
        'select kassa_step_up_reason($1, $2, $3, $4, $5, $6, $7, $8) as reason',
        [
          i.amountMinor.toString(),
          i.limits.perPaymentMinor.toString(),
          i.dayMinor.toString(),
          i.limits.dailyMinor.toString(),
          i.device,
          i.recentPayments,
          i.velocityMax,
          i.flaggedByPolicy,
        ],
      );
      assert.equal(rows.rows[0]?.reason, stepUpReason(i));
    }),
    { numRuns: 500 },
  );
});

it('a decision made inside a caller’s transaction leaves that transaction’s commits synchronous', async () => {
  const user = '00000000-0000-4000-8000-000000000001';
  await client.query('begin');
  try {
    await client.query(
      "insert into users (id, email, name, password_hash) values ($1, 'sync@example.test', 'Sync', 'x')",
      [user],
    );
    const decided = await client.query<{ key_use: string; reason: string | null }>(
      `select key_use, reason from kassa_step_up_decide('user:x', 'k1', '\\x01', $1, 'USD', 100,
         now(), 100000, 300000, 'unsigned', 10, 10, false, false)`,
      [user],
    );
    assert.deepEqual(decided.rows[0], { key_use: 'unused', reason: null });
    const setting = await client.query<{ value: string }>(
      "select current_setting('synchronous_commit') as value",
    );
    assert.equal(setting.rows[0]?.value, 'on');
  } finally {
    await client.query('rollback');
  }
});
