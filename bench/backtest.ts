/**
 * `npm run bench:backtest`: how long `kassa risk backtest` takes over 28 days of decisions
 * (issue 15 §4: 200,000 in ≤ 10 s). Simulated traffic (seed 1) gives realistic feature vectors
 * and the truth; each movement becomes a payment row with its decision as the API stores it
 * (features, the bundled model's score), and the fraud among them is labelled as payer reports
 * would. The baseline, measured in the same run, is reading the same rows with the same paged
 * query and parsing them, without evaluating any rule: the backtest's own cost is the rest.
 * Uses BENCH_DATABASE_URL or the local PostgreSQL (a fresh database, dropped at the end).
 */
import pg from 'pg';
import { newUuid } from '../apps/server/src/kernel/ids.ts';
import { createDb } from '../apps/server/src/platform/db.ts';
import { migrate } from '../apps/server/src/platform/migrate.ts';
import {
  activeRuleSet,
  backtestRules,
  bundledModel,
  featureCount,
  simulate,
  splitByTime,
} from '../apps/server/src/modules/risk/index.ts';
import { roundToDigits } from '../apps/server/src/modules/risk/domain/compact-number.ts';
import { featureIndex } from '../apps/server/src/modules/risk/domain/features.ts';
import { uuidV7Floor } from '../apps/server/src/kernel/ids.ts';

const target = Number(process.env['BENCH_BACKTEST_ROWS'] ?? 200_000);
const adminUrl = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `kassa_bench_backtest_${Date.now()}`;
const url = new URL(adminUrl);
url.pathname = `/${database}`;

/** Rules like an analyst's first draft (the same signals as the hand-written baseline). */
const draft = [
  {
    name: 'card_testing',
    when: "kind == 'top_up' && card_count_1h >= 4.0 && amount < 500",
    action: 'block' as const,
    reason: { code: 'card_testing', message: 'Many small card top-ups in an hour.' },
  },
  {
    name: 'takeover_payee',
    when: 'device_key_age_hours >= 0.0 && device_key_age_hours < 24.0 && payee_is_new == 1.0 && amount_to_median_ratio >= 5.0',
    action: 'review' as const,
    reason: { code: 'new_device', message: 'A large payment to someone new from a new device.' },
  },
  {
    name: 'mule_out',
    when: "kind == 'payout' && out_in_ratio_7d >= 0.9 && user_fan_in_24h >= 5.0",
    action: 'review' as const,
    reason: { code: 'money_out_fast', message: 'Money leaves soon after it arrived.' },
  },
  {
    name: 'burst',
    when: 'user_count_1h >= 10.0',
    action: 'step_up' as const,
    reason: { code: 'velocity', message: 'Many payments in a short time.' },
  },
  {
    name: 'model_high',
    when: 'score >= 60 && account_age_days < 2.0',
    action: 'review' as const,
    reason: { code: 'new_account', message: 'The account is less than two days old.' },
  },
];

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const db = createDb({
    connectionString: url.toString(),
    poolSizeMax: 2,
    applicationName: 'kassa-bench',
  });
  try {
    await migrate(db);
    const rows = await load(db);
    const now = new Date();
    const window = {
      from: new Date(now.getTime() - 28 * 86_400_000),
      to: new Date(now.getTime() + 1),
    };
    const baselineMs = await readOnly(db, window.from, window.to);
    const set = activeRuleSet({ id: 'draft', version: 0, rules: draft });
    const report = await backtestRules(db.pool, set, {
      ...window,
      thresholds: { block: 75, review: 65, stepUp: 50 },
      modelEnforced: false,
    });
    console.log(
      JSON.stringify(
        {
          rows,
          backtest_ms: report.elapsed_ms,
          read_only_ms: Math.round(baselineMs),
          backtest_to_read_ratio: Number((report.elapsed_ms / baselineMs).toFixed(2)),
          movements_per_second: Math.round(report.movements / (report.elapsed_ms / 1000)),
          goal: '200,000 in ≤ 10,000 ms',
          report,
        },
        null,
        2,
      ),
    );
  } finally {
    await db.close();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
}

/** Simulated movements as payment rows spread over the last 27 days, with their labels. */
async function load(db: ReturnType<typeof createDb>): Promise<number> {
  const model = bundledModel();
  let users = 5_000;
  let split = splitByTime(simulate({ seed: 1, users, days: 35 }));
  while (split.train.count + split.test.count < target) {
    users = Math.ceil((users * target * 1.05) / (split.train.count + split.test.count));
    split = splitByTime(simulate({ seed: 1, users, days: 35 }));
  }
  const accountId = newUuid();
  const nowMs = Date.now();
  const spanMs = 27 * 86_400_000;
  let written = 0;
  const client = await db.pool.connect();
  try {
    // A bench database: skip foreign-key triggers for the bulk load (one placeholder account).
    await client.query('set session_replication_role = replica');
    for (const part of [split.train, split.test]) {
      for (let start = 0; start < part.count && written < target; start += 5_000) {
        const ids: string[] = [];
        const amounts: string[] = [];
        const risks: string[] = [];
        const fraudIds: string[] = [];
        for (let i = start; i < Math.min(part.count, start + 5_000) && written < target; i += 1) {
          const vector = part.vectors.subarray(i * featureCount, (i + 1) * featureCount);
          const at = nowMs - spanMs + Math.floor((written / target) * spanMs);
          const id = newUuid(at);
          const score = Math.min(99, Math.floor((model?.scorer.score(vector) ?? 0) * 100));
          ids.push(id);
          amounts.push(
            String(Math.max(1, Math.round(Math.expm1(vector[featureIndex.amount_log] ?? 0)))),
          );
          risks.push(
            JSON.stringify({
              decision: 'allow',
              score,
              reasons: [],
              model_version: null,
              rules_version: 'builtin-1',
              enforced: false,
              features: Array.from(vector, roundToDigits),
              timings_us: { features: 0, model: 0, rules: 0 },
            }),
          );
          if (part.fraud[i] === 1) fraudIds.push(id);
          written += 1;
        }
        await client.query(
          `insert into payments (id, kind, status, payer_account_id, payee_account_id, amount, currency,
                                 created_at, updated_at, risk)
           select id, 'transfer', 'succeeded', $2, $2, amount, 'USD', now(), now(), risk
             from unnest($1::uuid[], $3::bigint[], $4::jsonb[]) as r(id, amount, risk)`,
          [ids, accountId, amounts, risks],
        );
        await client.query(
          `insert into risk_labels (payment_id, source, label, created_at)
           select id, 'payer_report', 'fraud', now() from unnest($1::uuid[]) id`,
          [fraudIds],
        );
      }
    }
  } finally {
    await client.query('set session_replication_role = origin');
    client.release();
  }
  await db.pool.query('analyze payments');
  return written;
}

/** The same paged read the backtest does, parsing each vector, with no rule evaluated. */
async function readOnly(db: ReturnType<typeof createDb>, from: Date, to: Date): Promise<number> {
  const started = performance.now();
  let after = uuidV7Floor(from.getTime());
  const until = uuidV7Floor(to.getTime());
  let checksum = 0;
  for (;;) {
    const { rows } = await db.pool.query<{ id: string; features: string }>(
      `select id, amount::text as amount, currency, risk->>'decision' as decision,
              (risk->>'enforced')::boolean as enforced, (risk->>'score')::int as score,
              risk->>'features' as features
         from payments
        where id > $1 and id < $2 and risk ? 'features'
        order by id limit 5000`,
      [after, until],
    );
    for (const row of rows) checksum += (JSON.parse(row.features) as number[]).length;
    const last = rows.at(-1);
    if (last === undefined || rows.length < 5000) break;
    after = last.id;
  }
  if (checksum < 0) throw new Error('unreachable');
  return performance.now() - started;
}

await main();
