import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backtestCommand } from '../src/main/risk-backtest-cli.ts';
import { loadConfig } from '../src/config/config.ts';
import { newUuid } from '../src/kernel/ids.ts';
import { recordedRows, scoreDrift } from '../src/modules/risk/index.ts';
import { trainCommand, trainFlags } from '../src/main/risk-cli.ts';
import { parseFlags } from '../src/main/risk-cli-flags.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

/**
 * Issue 15 §4: named operator accounts, CEL rule sets with maker-checker, live and shadow
 * sets swapped without a restart, rollback, and backtests of drafts on recorded decisions.
 * No model is promoted here (the bundled one decides in shadow), so only rules are enforced.
 */
let t: TestSystem;
before(async () => {
  t = await startTestSystem({ env: { STEP_UP_LIMITS: 'USD=100000/10000000' } });
});
after(() => t.close());

/** A POST without a body sends `{}` (a verdict's note is optional). */
const asOperator = (token: string, method: string, url: string, body?: unknown) =>
  t.request(method, url, {
    token,
    key: randomUUID(),
    ...(body === undefined ? (method === 'POST' ? { body: {} } : {}) : { body }),
  });

async function newOperator(name: string): Promise<{ id: string; key: string }> {
  const created = await asOperator(t.operatorKey, 'POST', '/v1/admin/operators', { name });
  assert.equal(created.statusCode, 201, created.body);
  return created.json();
}

async function funded(amount = 100_000) {
  const alice = await t.signUp();
  const bob = await t.signUp();
  await t.fund(alice.walletId, amount);
  return { alice, bob };
}

const send = (from: { token: string }, to: { email: string }, amount: number) =>
  t.request('POST', '/v1/transfers', {
    token: from.token,
    key: randomUUID(),
    body: { to: to.email, amount, currency: 'USD' },
  });

const blockOver300 = {
  name: 'large_transfer',
  when: "kind == 'p2p' && amount > 30000",
  action: 'block',
  reason: { code: 'large_transfer', message: 'Transfers over 300.00 are stopped for now.' },
};

let ana: { id: string; key: string };
let ben: { id: string; key: string };

describe('operator accounts', () => {
  it('the bootstrap key creates named operators; a named one cannot; keys work until disabled', async () => {
    ana = await newOperator(`ana.${randomUUID().slice(0, 8)}`);
    ben = await newOperator(`ben.${randomUUID().slice(0, 8)}`);
    assert.match(ana.id, /^opr_/);
    assert.match(ana.key, /^opk_/);
    const byNamed = await asOperator(ana.key, 'POST', '/v1/admin/operators', { name: 'mallory' });
    assert.equal(byNamed.statusCode, 403, byNamed.body);
    const list = await asOperator(ana.key, 'GET', '/v1/admin/operators');
    assert.equal(list.statusCode, 200, list.body);
    const names = list.json().data.map((o: { id: string }) => o.id);
    assert.ok(names.includes(ana.id) && names.includes(ben.id));
    assert.ok(!list.body.includes(ana.key), 'keys are shown once, never listed');

    const stored = await t.system.db.query<{ key_hash: Buffer }>('select key_hash from operators');
    assert.ok(stored.every((r) => !r.key_hash.toString('latin1').includes(ana.key)));

    const temp = await newOperator(`tmp.${randomUUID().slice(0, 8)}`);
    assert.equal((await asOperator(temp.key, 'GET', '/v1/admin/operators')).statusCode, 200);
    const disabled = await asOperator(t.operatorKey, 'DELETE', `/v1/admin/operators/${temp.id}`);
    assert.equal(disabled.statusCode, 200, disabled.body);
    assert.equal((await asOperator(temp.key, 'GET', '/v1/admin/operators')).statusCode, 401);
  });

  it('bad names and taken names are refused with the field', async () => {
    for (const name of ['A', 'has space', '-dash', 'x'.repeat(65)]) {
      const refused = await asOperator(t.operatorKey, 'POST', '/v1/admin/operators', { name });
      assert.equal(refused.statusCode, 400, `${name}: ${refused.body}`);
    }
    const taken = await asOperator(t.operatorKey, 'POST', '/v1/admin/operators', {
      name: (await asOperator(t.operatorKey, 'GET', '/v1/admin/operators')).json().data[0].name,
    });
    assert.equal(taken.statusCode, 400, taken.body);
    assert.equal(taken.json().error.param, 'name');
  });
});

describe('rule sets: refused at submission', () => {
  const submit = (token: string, rules: unknown[]) =>
    asOperator(token, 'POST', '/v1/admin/risk/rule_sets', { description: 'bad', rules });

  it('the bootstrap key is no one in particular: it cannot submit', async () => {
    const refused = await submit(t.operatorKey, [blockOver300]);
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().error.code, 'operator_account_required');
  });

  it('a rule that does not compile, names an unknown feature or is not a condition: 400 with where', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ ...blockOver300, when: 'amount >' }, 'rules[0].when', /line 1, column 9/],
      [
        { ...blockOver300, when: 'amount > 1 &&\n  velocity_per_hour > 3.0' },
        'rules[0].when',
        /Unknown variable: velocity_per_hour.*line 2, column 3/,
      ],
      [{ ...blockOver300, when: 'amount + 1' }, 'rules[0].when', /true or false/],
      [{ ...blockOver300, when: "amount + 'x' > 1" }, 'rules[0].when', /no such overload/],
      [{ ...blockOver300, reason: undefined }, 'rules[0].reason', /needs a reason/],
      [{ ...blockOver300, name: 'Bad Name' }, 'rules[0].name', /lowercase/],
    ];
    for (const [rule, param, message] of cases) {
      const refused = await submit(ana.key, [rule]);
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal(refused.json().error.param, param, refused.body);
      assert.match(refused.json().error.message, message);
    }
    const twice = await submit(ana.key, [blockOver300, blockOver300]);
    assert.equal(twice.json().error.param, 'rules[1].name', twice.body);
    const listed = await asOperator(ana.key, 'GET', '/v1/admin/risk/rule_sets');
    assert.equal(listed.json().data.length, 0, 'nothing refused was stored');
  });
});

describe('rule sets: maker-checker, live, shadow, rollback', () => {
  let v1: { id: string; version: number };

  it('a submitted set does nothing until a second operator approves it; then it decides at once', async () => {
    const { alice, bob } = await funded();
    const submitted = await asOperator(ana.key, 'POST', '/v1/admin/risk/rule_sets', {
      description: 'Stop large transfers',
      rules: [blockOver300],
    });
    assert.equal(submitted.statusCode, 201, submitted.body);
    v1 = submitted.json();
    assert.deepEqual(
      [submitted.json().status, submitted.json().active, submitted.json().submitted_by],
      ['pending_approval', null, ana.id],
    );
    assert.equal((await send(alice, bob, 40_000)).statusCode, 201, 'not live before approval');

    const self = await asOperator(ana.key, 'POST', `/v1/admin/risk/rule_sets/${v1.id}/approve`);
    assert.equal(self.statusCode, 403, self.body);
    assert.equal(self.json().error.code, 'self_approval');
    const byBootstrap = await asOperator(
      t.operatorKey,
      'POST',
      `/v1/admin/risk/rule_sets/${v1.id}/approve`,
    );
    assert.equal(byBootstrap.json().error.code, 'operator_account_required');

    const approved = await asOperator(
      ben.key,
      'POST',
      `/v1/admin/risk/rule_sets/${v1.id}/approve`,
      {
        note: 'looks right',
      },
    );
    assert.equal(approved.statusCode, 200, approved.body);
    assert.deepEqual(
      [approved.json().status, approved.json().active, approved.json().reviewed_by],
      ['approved', 'live', ben.id],
    );
    const blocked = await send(alice, bob, 40_000);
    assert.equal(blocked.statusCode, 402, blocked.body);
    assert.equal(blocked.json().error.code, 'risk_blocked');
    const stored = await t.system.db.query<{ risk: Record<string, unknown> }>(
      `select risk from payments where payer_user_id = $1 and status = 'failed'`,
      [
        (
          await t.system.db.query<{ id: string }>('select id from users where email = $1', [
            alice.email,
          ])
        )[0]!.id,
      ],
    );
    assert.equal(stored[0]!.risk['rules_version'], `rs-${v1.version}`);
    assert.equal(stored[0]!.risk['rule'], 'large_transfer');
    assert.deepEqual(
      (stored[0]!.risk['reasons'] as Array<{ code: string }>)[0]!.code,
      'large_transfer',
    );
    const small = await send(alice, bob, 500);
    assert.equal(small.statusCode, 201, small.body);
    assert.equal(small.json().risk.rules_version, `rs-${v1.version}`);

    const again = await asOperator(ben.key, 'POST', `/v1/admin/risk/rule_sets/${v1.id}/approve`);
    assert.equal(again.json().error.code, 'rule_set_not_pending');
    const audit = await t.system.db.query<{ actor: string; action: string }>(
      `select actor, action from audit_log where action like 'risk.rule_set.%' order by seq`,
    );
    assert.deepEqual(
      audit.map((a) => [a.actor, a.action]),
      [
        [`operator:${ana.id}`, 'risk.rule_set.submitted'],
        [`operator:${ben.id}`, 'risk.rule_set.approved'],
      ],
    );
  });

  it('a shadow set records what it would have done beside the live decision, and reports it', async () => {
    const { alice, bob } = await funded();
    const submitted = await asOperator(ben.key, 'POST', '/v1/admin/risk/rule_sets', {
      description: 'Would we step up mid-size transfers?',
      mode: 'shadow',
      rules: [
        {
          name: 'mid_size',
          when: 'amount >= 5000 && amount <= 30000',
          action: 'step_up',
          reason: { code: 'mid_size', message: 'Confirm mid-size transfers.' },
        },
      ],
    });
    const shadow = submitted.json();
    const approved = await asOperator(
      ana.key,
      'POST',
      `/v1/admin/risk/rule_sets/${shadow.id}/approve`,
    );
    assert.equal(approved.json().active, 'shadow', approved.body);
    const sent = await send(alice, bob, 6_000);
    assert.equal(sent.statusCode, 201, 'shadow decides nothing');
    assert.equal(sent.json().status, 'succeeded');
    const report = await asOperator(
      ana.key,
      'GET',
      `/v1/admin/risk/rule_sets/${shadow.id}/shadow_report`,
    );
    assert.equal(report.statusCode, 200, report.body);
    const cell = report
      .json()
      .matrix.find(
        (m: { live: string; shadow: string }) => m.live === 'allow' && m.shadow === 'step_up',
      );
    assert.equal(cell?.count, 1, report.body);
    assert.ok(report.json().agreement < 1);
    const off = await asOperator(
      ana.key,
      'POST',
      `/v1/admin/risk/rule_sets/${shadow.id}/deactivate`,
    );
    assert.equal(off.json().active, null, off.body);
    const offAgain = await asOperator(
      ana.key,
      'POST',
      `/v1/admin/risk/rule_sets/${shadow.id}/deactivate`,
    );
    assert.equal(offAgain.json().error.code, 'rule_set_not_active');
  });

  it('a newer live set replaces the old one; a rollback is the old version resubmitted and approved again', async () => {
    const { alice, bob } = await funded();
    const v2 = (
      await asOperator(ana.key, 'POST', '/v1/admin/risk/rule_sets', {
        description: 'No rules: thresholds only',
        rules: [],
      })
    ).json();
    // Submitted on top of v1; a set submitted meanwhile on top of v1 too goes stale once v2 is in.
    const rival = (
      await asOperator(ben.key, 'POST', '/v1/admin/risk/rule_sets', { description: 'x', rules: [] })
    ).json();
    const approved = await asOperator(ben.key, 'POST', `/v1/admin/risk/rule_sets/${v2.id}/approve`);
    assert.equal(approved.json().active, 'live', approved.body);
    assert.equal((await send(alice, bob, 40_000)).statusCode, 201, 'v2 does not block');
    const stale = await asOperator(ana.key, 'POST', `/v1/admin/risk/rule_sets/${rival.id}/approve`);
    assert.equal(stale.statusCode, 409, stale.body);
    assert.equal(stale.json().error.code, 'rule_set_stale');
    const rejected = await asOperator(
      ana.key,
      'POST',
      `/v1/admin/risk/rule_sets/${rival.id}/reject`,
    );
    assert.equal(rejected.json().status, 'rejected', rejected.body);

    // Rollback: v1 again, as a new version a second operator approves.
    const again = await asOperator(ben.key, 'POST', `/v1/admin/risk/rule_sets/${v1.id}/resubmit`);
    assert.equal(again.statusCode, 201, again.body);
    assert.deepEqual(
      [again.json().status, again.json().rules, again.json().active],
      ['pending_approval', [blockOver300], null],
    );
    assert.equal((await send(alice, bob, 40_000)).statusCode, 201, 'not live before approval');
    const self = await asOperator(
      ben.key,
      'POST',
      `/v1/admin/risk/rule_sets/${again.json().id}/approve`,
    );
    assert.equal(self.json().error.code, 'self_approval');
    const back = await asOperator(
      ana.key,
      'POST',
      `/v1/admin/risk/rule_sets/${again.json().id}/approve`,
    );
    assert.equal(back.json().active, 'live', back.body);
    assert.equal((await send(alice, bob, 40_000)).statusCode, 402, 'the old rules block again');

    // The emergency stop: one operator, at once, and the team is alerted.
    const off = await asOperator(
      ben.key,
      'POST',
      `/v1/admin/risk/rule_sets/${again.json().id}/deactivate`,
    );
    assert.equal(off.statusCode, 200, off.body);
    const plain = await send(alice, bob, 500);
    assert.equal(plain.json().risk.rules_version, 'builtin-1');
    const alerts = await t.system.db.query<{ type: string }>(
      `select type from notifications where operator and type = 'risk_rules_stopped'`,
    );
    assert.ok(alerts.length >= 1);
    const offAgain = await asOperator(
      ben.key,
      'POST',
      `/v1/admin/risk/rule_sets/${again.json().id}/deactivate`,
    );
    assert.equal(offAgain.json().error.code, 'rule_set_not_active');
  });

  it('named operators work the fraud desk only: the ledger, funding and accounts need the administrator key', async () => {
    const { alice } = await funded();
    for (const [method, url, body] of [
      ['POST', '/v1/admin/ledger/accounts', { currency: 'USD' }],
      ['POST', '/v1/admin/funding', { wallet: alice.walletId, amount: 100, currency: 'USD' }],
      ['POST', '/v1/merchants', { name: 'Shop', category: 'retail', currency: 'USD' }],
      ['POST', '/v1/admin/operators', { name: 'another' }],
      ['GET', '/metrics', undefined],
    ] as const) {
      const refused = await asOperator(ana.key, method, url, body);
      assert.equal(refused.statusCode, 403, `${url}: ${refused.body}`);
    }
    assert.equal((await t.balance(alice.token, alice.walletId)).balance, 100_000);
    const queue = await asOperator(ana.key, 'GET', '/v1/admin/risk/reviews');
    assert.equal(queue.statusCode, 200, queue.body);
  });
});

describe('rules that could stall a payment are refused', () => {
  it('regular expressions, macros, methods, indexing and long texts are not part of the rule language', async () => {
    const cases = [
      "currency.matches('^(a+)+$')",
      '[1, 2, 3].exists(v, v > 1)',
      'size(currency) > 1',
      '[1, 2][0] == 1',
      `currency == '${'x'.repeat(65)}'`,
    ];
    for (const when of cases) {
      const refused = await asOperator(ana.key, 'POST', '/v1/admin/risk/rule_sets', {
        description: 'slow',
        rules: [{ ...blockOver300, when }],
      });
      assert.equal(refused.statusCode, 400, `${when}: ${refused.body}`);
      assert.equal(refused.json().error.param, 'rules[0].when');
      assert.match(refused.json().error.message, /not allowed in a rule/);
    }
    const big = Array.from({ length: 100 }, (_, i) => ({
      ...blockOver300,
      name: `r${i}`,
      when: Array.from({ length: 20 }, (_, j) => `amount != ${i * 100 + j}`).join(' && '),
    }));
    const tooMuch = await asOperator(ana.key, 'POST', '/v1/admin/risk/rule_sets', {
      description: 'too big',
      rules: big,
    });
    assert.equal(tooMuch.statusCode, 400, tooMuch.body);
    assert.match(tooMuch.json().error.message, /too large/);
  });
});

describe('backtests', () => {
  it('a draft replays the recorded decisions: what it would stop, and the reported fraud it catches', async () => {
    const { alice, bob } = await funded(500_000);
    const big = (await send(alice, bob, 45_000)).json();
    await send(alice, bob, 700);
    const reported = await t.request('POST', `/v1/transfers/${big.id}/report_fraud`, {
      token: alice.token,
      key: randomUUID(),
    });
    assert.ok(reported.statusCode < 300, reported.body);

    const draft = await asOperator(t.operatorKey, 'POST', '/v1/admin/risk/backtests', {
      rules: [{ ...blockOver300, when: 'amount > 44000' }],
    });
    assert.equal(draft.statusCode, 200, draft.body);
    const report = draft.json();
    assert.ok(report.movements >= 2, draft.body);
    assert.ok(report.decisions.block >= 1, draft.body);
    assert.equal(report.by_rule.large_transfer, report.decisions.block);
    assert.ok(report.fraud.labelled >= 1 && report.fraud.caught >= 1, draft.body);
    assert.equal(report.fraud.caught_live, 0);

    const bad = await asOperator(t.operatorKey, 'POST', '/v1/admin/risk/backtests', {
      rules: [{ ...blockOver300, when: 'amount >>' }],
    });
    assert.equal(bad.json().error.param, 'rules[0].when', bad.body);
    const both = await asOperator(t.operatorKey, 'POST', '/v1/admin/risk/backtests', {});
    assert.equal(both.statusCode, 400);

    // The same through the CLI, from a file.
    const dir = mkdtempSync(join(tmpdir(), 'kassa-backtest-'));
    const file = join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify({ rules: [{ ...blockOver300, when: 'amount > 44000' }] }));
    const lines: string[] = [];
    const code = await backtestCommand(
      ['--file', file, '--json'],
      t.system.db.pool,
      loadConfig({}).risk,
      new Date(),
      (line) => lines.push(line),
    );
    assert.equal(code, 0);
    const printed = JSON.parse(lines.join('\n'));
    assert.equal(printed.fraud.caught, report.fraud.caught);
    assert.equal(printed.decisions.block, report.decisions.block);
  });
});

describe('score drift', () => {
  it('PSI of the last day against the week before: near 0 when alike, above 0.25 when shifted', async () => {
    const client = await t.system.db.pool.connect();
    const nowMs = Date.now() + 30 * 86_400_000; // a future week of its own: no other test's rows
    const insert = async (daysAgo: number, scores: number[]) => {
      const ids = scores.map(() => newUuid(nowMs - daysAgo * 86_400_000));
      await client.query(
        `insert into payments (id, kind, status, payer_account_id, payee_account_id, amount,
                               currency, created_at, updated_at, risk)
         select id, 'transfer', 'succeeded', $3, $3, 100, 'USD', now(), now(),
                jsonb_build_object('score', score)
           from unnest($1::uuid[], $2::int[]) as r(id, score)`,
        [ids, scores, randomUUID()],
      );
    };
    try {
      // A scratch week: skip foreign keys for these rows only (one placeholder account).
      await client.query('set session_replication_role = replica');
      const usual = Array.from({ length: 400 }, (_, i) => (i * 7) % 40);
      await insert(3, usual);
      const now = new Date(nowMs);
      assert.equal(await scoreDrift(t.system.db.pool, now), null, 'no recent decisions yet');
      await insert(0.5, usual.slice(0, 100));
      const stable = await scoreDrift(t.system.db.pool, now);
      assert.ok(stable !== null && stable < 0.1, String(stable));
      await insert(
        0.4,
        Array.from({ length: 200 }, (_, i) => 60 + (i % 40)),
      );
      const shifted = await scoreDrift(t.system.db.pool, now);
      assert.ok(shifted !== null && shifted > 0.25, String(shifted));
    } finally {
      await client.query('set session_replication_role = origin');
      client.release();
    }
  });
});

describe('labels for the next training run', () => {
  it('a refund for fraud labels the payment; training reads the recorded decisions with their labels', async () => {
    const { alice } = await funded();
    const merchant = await t.createMerchant();
    const paid = await t.request('POST', '/v1/payments', {
      token: alice.token,
      key: randomUUID(),
      body: { merchant: merchant.id, amount: 2_500, currency: 'USD' },
    });
    assert.equal(paid.statusCode, 201, paid.body);
    const refund = (reason: string) =>
      t.request('POST', '/v1/refunds', {
        token: merchant.secretKey,
        key: randomUUID(),
        body: { payment: paid.json().id, amount: 1_000, reason },
      });
    assert.equal((await refund('requested_by_customer')).statusCode, 201);
    const labelsOf = () =>
      t.system.db.query<{ source: string; label: string }>(
        `select source, label from risk_labels l join payments p on p.id = l.payment_id
          where p.payer_user_id = (select id from users where email = $1)`,
        [alice.email],
      );
    assert.deepEqual(await labelsOf(), [], 'an ordinary refund labels nothing');
    assert.equal((await refund('fraudulent')).statusCode, 201);
    assert.deepEqual(await labelsOf(), [{ source: 'fraud_refund', label: 'fraud' }]);

    const now = new Date();
    const recorded = await recordedRows(
      t.system.db.pool,
      new Date(now.getTime() - 86_400_000),
      now,
    );
    assert.ok(recorded.count >= 2, String(recorded.count));
    assert.ok(recorded.labels.includes(1), 'the labelled payments are fraud rows');
    assert.equal(recorded.vectors.length, recorded.count * 65);

    const dir = mkdtempSync(join(tmpdir(), 'kassa-train-'));
    const lines: string[] = [];
    const code = trainCommand(
      parseFlags(['--users', '200', '--days', '10', '--out', join(dir, 'model.json')], trainFlags),
      dir,
      (line) => lines.push(line),
      () => undefined,
      recorded,
    );
    assert.equal(code, 0);
    const trained = JSON.parse(lines.join('\n'));
    assert.equal(trained.recorded_rows, recorded.count);
    assert.ok(trained.recorded_fraud >= 1);
    assert.equal(trained.training_rows > recorded.count, true);
  });
});
