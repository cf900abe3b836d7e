import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeId } from '../src/kernel/ids.ts';
import { featureIndex, featureNames } from '../src/modules/risk/domain/features.ts';
import type { GbdtModel } from '../src/modules/risk/domain/gbdt.ts';
import { runtimeFeatures } from '../src/modules/risk/runtime-features.ts';
import { expireReviews } from '../src/modules/payments/index.ts';
import {
  bundledModel,
  createModelRegistry,
  promoteModel,
  storeModel,
} from '../src/modules/risk/index.ts';
import { UsageError } from '../src/main/risk-cli-flags.ts';
import { promoteCommand } from '../src/main/risk-promote-cli.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

/**
 * A one-tree model that scores by amount alone, so each band lands on one decision with the
 * default thresholds (step-up 50, review 65, block 75): up to 10.00 → score 10 (allow), to
 * 50.00 → 55 (step_up), to 200.00 → 70 (review), above → 90 (block).
 */
const logit = (p: number) => Math.log(p / (1 - p));
const amountBands: GbdtModel = {
  kind: 'gbdt',
  formatVersion: 1,
  featureNames: [...featureNames],
  baseMargin: 0,
  options: {} as GbdtModel['options'],
  trees: [
    {
      feature: [
        featureIndex.amount_log,
        -1,
        featureIndex.amount_log,
        -1,
        featureIndex.amount_log,
        -1,
        -1,
      ],
      threshold: [
        Math.log1p(1_000),
        logit(0.105),
        Math.log1p(5_000),
        logit(0.555),
        Math.log1p(20_000),
        logit(0.705),
        logit(0.905),
      ],
      left: [1, 0, 3, 0, 5, 0, 0],
      right: [2, 0, 4, 0, 6, 0, 0],
    },
  ],
};

let t: TestSystem;
let version: string;
before(async () => {
  // Step-up by amount stays out of the way (its thresholds far above these amounts).
  t = await startTestSystem({ env: { STEP_UP_LIMITS: 'USD=100000/10000000' } });
  version = await storeModel(t.system.db.pool, amountBands, null, new Date());
  assert.ok(await promoteModel(t.system.db.pool, version, new Date()));
});
after(() => t.close());

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

const operator = (method: string, url: string) =>
  t.request(method, url, { token: t.operatorKey, key: randomUUID() });

describe('a risk decision on every transfer and payment', () => {
  it('allow: the transfer carries its decision, score, model and rules version', async () => {
    const { alice, bob } = await funded();
    const sent = await send(alice, bob, 500);
    assert.equal(sent.statusCode, 201, sent.body);
    assert.deepEqual(sent.json().risk, {
      decision: 'allow',
      score: 10,
      reasons: [],
      model_version: version,
      rules_version: 'builtin-1',
    });
    const stored = await t.system.db.query<{ risk: { timings_us: Record<string, number> } }>(
      `select risk from payments where kind = 'transfer' and payer_user_id = $1`,
      [uuid('usr', alice.userId)],
    );
    assert.deepEqual(Object.keys(stored[0]!.risk.timings_us).sort(), [
      'features',
      'model',
      'rules',
    ]);
  });

  it('block: 402 risk_blocked, nothing moves, the payer is told, a failed transfer keeps the decision', async () => {
    const { alice, bob } = await funded();
    const blocked = await send(alice, bob, 50_000);
    assert.equal(blocked.statusCode, 402, blocked.body);
    const error = blocked.json().error;
    assert.deepEqual(
      [error.code, error.money_moved, error.next_action],
      ['risk_blocked', false, 'contact_support'],
    );
    assert.equal((await t.balance(alice.token, alice.walletId)).available, 100_000);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
    const rows = await t.system.db.query<{
      status: string;
      failure_code: string;
      risk: { decision: string };
    }>(
      `select status, failure_code, risk from payments where payer_user_id = $1 and kind = 'transfer'`,
      [uuid('usr', alice.userId)],
    );
    assert.deepEqual(
      rows.map((r) => [r.status, r.failure_code, r.risk.decision]),
      [['failed', 'risk_blocked', 'block']],
    );
    const events = await t.system.db.query<{ type: string }>(
      `select type from events where user_ids @> array[$1::uuid]`,
      [uuid('usr', alice.userId)],
    );
    assert.ok(events.some((e) => e.type === 'risk.decision.blocked'));
    assert.ok(!events.some((e) => e.type === 'transfer.succeeded'));
  });

  it('step_up: the transfer waits for a second factor (reason policy)', async () => {
    const { alice, bob } = await funded();
    await t.enrolTwoFactor(alice);
    const sent = await send(alice, bob, 3_000);
    assert.equal(sent.statusCode, 201, sent.body);
    assert.equal(sent.json().status, 'requires_action');
    assert.equal(sent.json().risk.decision, 'step_up');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
  });

  it('review: the money is held; the recipient sees no risk signals; approve posts it once', async () => {
    const { alice, bob } = await funded();
    const sent = await send(alice, bob, 10_000);
    assert.equal(sent.statusCode, 201, sent.body);
    const transfer = sent.json();
    assert.equal(transfer.status, 'under_review');
    assert.equal(transfer.risk.decision, 'review');
    assert.equal((await t.balance(alice.token, alice.walletId)).available, 90_000);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
    const seenByBob = await t.request('GET', `/v1/transfers/${transfer.id}`, { token: bob.token });
    assert.equal(seenByBob.json().risk, null);

    const queue = await t.request('GET', '/v1/admin/risk/reviews?limit=100', {
      token: t.operatorKey,
    });
    assert.equal(queue.statusCode, 200, queue.body);
    const item = queue.json().data.find((r: { id: string }) => r.id === transfer.id);
    assert.ok(item, 'the transfer is in the review queue');
    assert.equal(item.risk.decision, 'review');

    const approved = await operator('POST', `/v1/admin/risk/reviews/${transfer.id}/approve`);
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().status, 'succeeded');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 10_000);
    const again = await operator('POST', `/v1/admin/risk/reviews/${transfer.id}/approve`);
    assert.equal(again.statusCode, 409, again.body);
    assert.equal(again.json().error.code, 'payment_not_under_review');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 10_000);
  });

  it('review declined: the hold is released, nothing reaches the recipient', async () => {
    const { alice, bob } = await funded();
    const transfer = (await send(alice, bob, 10_000)).json();
    assert.equal(transfer.status, 'under_review');
    const declined = await operator('POST', `/v1/admin/risk/reviews/${transfer.id}/decline`);
    assert.equal(declined.statusCode, 200, declined.body);
    assert.equal(declined.json().status, 'canceled');
    assert.equal((await t.balance(alice.token, alice.walletId)).available, 100_000);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
  });

  it('a merchant payment held for review takes its fee on approval', async () => {
    const { alice } = await funded();
    const merchant = await t.createMerchant({ feeBps: 100 });
    const paid = await t.request('POST', '/v1/payments', {
      token: alice.token,
      key: randomUUID(),
      body: { merchant: merchant.id, amount: 10_000, currency: 'USD' },
    });
    assert.equal(paid.statusCode, 201, paid.body);
    assert.equal(paid.json().status, 'under_review');
    assert.equal(paid.json().capture_before, null);
    // The payer reads why; the merchant (its view, its events) gets the decision, not the reasons.
    assert.ok(paid.json().risk.reasons.length > 0, paid.body);
    const asMerchant = await t.request('GET', `/v1/payments/${paid.json().id}`, {
      token: merchant.secretKey,
    });
    assert.deepEqual(
      [asMerchant.json().risk.decision, asMerchant.json().risk.reasons],
      ['review', []],
    );
    const merchantEvents = await t.system.db.query<{ data: { object: { risk: { reasons: [] } } } }>(
      `select data from events where merchant_id = $1 and type = 'risk.decision.review'`,
      [decodeId('mer', merchant.id)],
    );
    assert.equal(merchantEvents.length, 1);
    assert.deepEqual(merchantEvents[0]!.data.object.risk.reasons, []);
    const approved = await operator('POST', `/v1/admin/risk/reviews/${paid.json().id}/approve`);
    assert.equal(approved.statusCode, 200, approved.body);
    const view = await t.request('GET', `/v1/payments/${paid.json().id}`, { token: alice.token });
    assert.deepEqual(
      [view.json().status, view.json().amount_captured, view.json().fee],
      ['succeeded', 10_000, 100],
    );
  });

  it('an unreviewed hold expires: the worker releases it, reason review_expired, once', async () => {
    const { alice, bob } = await funded();
    const transfer = (await send(alice, bob, 10_000)).json();
    assert.equal(transfer.status, 'under_review');
    const id = decodeId('trf', transfer.id);
    // The review deadline passes (the ledger's hold with it).
    await t.system.db.query(
      `update payments set hold_expires_at = now() - interval '1 second' where id = $1`,
      [id],
    );
    await t.system.db.query(
      `update ledger_pending_transfers set expires_at = now() - interval '1 second'
        where transfer_id = (select hold_transfer_id from payments where id = $1)`,
      [id],
    );
    // The ledger's own expiry gets there first: the hold is already released, and the review
    // must still end (canceled), not stay under review with its void refused.
    await t.system.ledger.expirePending(500);
    const deps = { db: t.system.db, ledger: t.system.ledger, clock: t.system.clock };
    assert.equal(await expireReviews(deps), 1);
    assert.equal(await expireReviews(deps), 0);
    const view = (
      await t.request('GET', `/v1/transfers/${transfer.id}`, { token: alice.token })
    ).json();
    assert.equal(view.status, 'canceled');
    const [row] = await t.system.db.query<{ cancellation_reason: string }>(
      'select cancellation_reason from payments where id = $1',
      [id],
    );
    assert.equal(row!.cancellation_reason, 'review_expired');
    assert.equal((await t.balance(alice.token, alice.walletId)).available, 100_000);
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
  });

  it("a refund shows the decision it could apply (no review for refunds); the engine's is kept", async () => {
    const { alice } = await funded();
    const merchant = await t.createMerchant();
    const paid = (
      await t.request('POST', '/v1/payments', {
        token: alice.token,
        key: randomUUID(),
        body: { merchant: merchant.id, amount: 10_000, currency: 'USD' },
      })
    ).json();
    assert.equal(paid.status, 'under_review');
    assert.equal(
      (await operator('POST', `/v1/admin/risk/reviews/${paid.id}/approve`)).statusCode,
      200,
    );
    const refund = await t.request('POST', '/v1/refunds', {
      token: merchant.secretKey,
      key: randomUUID(),
      body: { payment: paid.id },
    });
    assert.equal(refund.statusCode, 201, refund.body);
    assert.deepEqual([refund.json().risk.decision, refund.json().risk.reasons], ['allow', []]);
    const [row] = await t.system.db.query<{ risk: { decision: string; model_decision: string } }>(
      'select risk from refunds where payment_id = $1',
      [decodeId('pay', paid.id)],
    );
    assert.deepEqual([row!.risk.decision, row!.risk.model_decision], ['allow', 'review']);
  });

  it('reviews are the operator’s: a user is refused, an unknown id is 404', async () => {
    const { alice } = await funded();
    const asUser = await t.request('GET', '/v1/admin/risk/reviews', { token: alice.token });
    assert.equal(asUser.statusCode, 403);
    const unknown = await operator('POST', '/v1/admin/risk/reviews/pay_nope/approve');
    assert.equal(unknown.statusCode, 404);
  });
});

describe('a payment both stepped up and held for review', () => {
  it('asks for the second factor first, then holds the money; approval posts it once', async () => {
    // 50.00 per payment without 2FA: 100.00 needs a second factor and scores in the review band.
    const strict = await startTestSystem({
      env: { STEP_UP_LIMITS: 'USD=50/100000', NEW_FACTOR_COOL_OFF_HOURS: '0' },
    });
    try {
      const live = await storeModel(strict.system.db.pool, amountBands, null, new Date());
      assert.ok(await promoteModel(strict.system.db.pool, live, new Date()));
      const alice = await strict.signUp();
      const bob = await strict.signUp();
      await strict.fund(alice.walletId, 100_000);
      const { code } = await strict.enrolTwoFactor(alice);
      const sent = await strict.request('POST', '/v1/transfers', {
        token: alice.token,
        key: randomUUID(),
        body: { to: bob.email, amount: 10_000, currency: 'USD' },
      });
      assert.equal(sent.statusCode, 201, sent.body);
      assert.equal(sent.json().status, 'requires_action');
      const confirmed = await strict.request('POST', `/v1/transfers/${sent.json().id}/confirm`, {
        token: alice.token,
        key: randomUUID(),
        body: { code: code() },
      });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      assert.equal(confirmed.json().status, 'under_review');
      assert.equal((await strict.balance(alice.token, alice.walletId)).available, 90_000);
      assert.equal((await strict.balance(bob.token, bob.walletId)).balance, 0);
      const approved = await strict.request(
        'POST',
        `/v1/admin/risk/reviews/${sent.json().id}/approve`,
        { token: strict.operatorKey, key: randomUUID() },
      );
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal((await strict.balance(bob.token, bob.walletId)).balance, 10_000);
    } finally {
      await strict.close();
    }
  });
});

describe('feedback: labels for the next training run', () => {
  it('"I didn\'t make this": a fraud label, an operator alert and an audit entry, once', async () => {
    const { alice, bob } = await funded();
    const sent = (await send(alice, bob, 500)).json();
    const url = `/v1/transfers/${sent.id}/report_fraud`;
    const first = await t.request('POST', url, { token: alice.token });
    assert.equal(first.statusCode, 201, first.body);
    assert.deepEqual(
      [first.json().object, first.json().payment, first.json().label],
      ['fraud_report', sent.id, 'fraud'],
    );
    const again = await t.request('POST', url, { token: alice.token });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().received_at, first.json().received_at);
    // Only the payer may report it; the recipient and strangers get 404.
    assert.equal((await t.request('POST', url, { token: bob.token })).statusCode, 404);
    const id = decodeId('trf', sent.id);
    const labels = await t.system.db.query<{ source: string; label: string }>(
      'select source, label from risk_labels where payment_id = $1',
      [id],
    );
    assert.deepEqual(labels, [{ source: 'payer_report', label: 'fraud' }]);
    const alerts = await t.system.db.query<{ n: string }>(
      `select count(*) as n from notifications where operator and type = 'fraud_reported' and object_id = $1`,
      [id],
    );
    assert.equal(Number(alerts[0]!.n), 1);
  });

  it("an operator's verdict labels the reviewed payment", async () => {
    const { alice, bob } = await funded();
    const approvedOne = (await send(alice, bob, 10_000)).json();
    const declinedOne = (await send(alice, bob, 10_000)).json();
    assert.equal(
      (await operator('POST', `/v1/admin/risk/reviews/${approvedOne.id}/approve`)).statusCode,
      200,
    );
    assert.equal(
      (await operator('POST', `/v1/admin/risk/reviews/${declinedOne.id}/decline`)).statusCode,
      200,
    );
    const labels = await t.system.db.query<{ payment_id: string; label: string }>(
      `select payment_id, label from risk_labels where source = 'review_verdict' and payment_id = any($1::uuid[])`,
      [[decodeId('trf', approvedOne.id), decodeId('trf', declinedOne.id)]],
    );
    assert.deepEqual(
      new Map(labels.map((l) => [l.payment_id, l.label])),
      new Map([
        [decodeId('trf', approvedOne.id), 'legitimate'],
        [decodeId('trf', declinedOne.id), 'fraud'],
      ]),
    );
  });
});

describe('allow and block lists (operator)', () => {
  it('a block stops a user whatever the model says; an allow lets one through; both audited, removable', async () => {
    const { alice, bob } = await funded();
    const list = (body: unknown) =>
      t.request('POST', '/v1/admin/risk/lists', { token: t.operatorKey, body });
    const blocked = await list({
      subject: 'user',
      value: alice.userId,
      action: 'block',
      note: 'takeover',
    });
    assert.equal(blocked.statusCode, 201, blocked.body);
    const refused = await send(alice, bob, 500);
    assert.equal(refused.statusCode, 402, refused.body);
    assert.equal(refused.json().error.code, 'risk_blocked');
    assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
    const removed = await t.request('DELETE', `/v1/admin/risk/lists/${blocked.json().id}`, {
      token: t.operatorKey,
    });
    assert.equal(removed.statusCode, 200, removed.body);
    assert.equal((await send(alice, bob, 500)).statusCode, 201);

    // An allow (a snooze) lets a payment through that the model would block.
    const allowed = await list({
      subject: 'user',
      value: alice.userId,
      action: 'allow',
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    assert.equal(allowed.statusCode, 201, allowed.body);
    const big = await send(alice, bob, 50_000);
    assert.equal(big.statusCode, 201, big.body);
    assert.deepEqual([big.json().status, big.json().risk.decision], ['succeeded', 'allow']);
    const inForce = await t.request('GET', '/v1/admin/risk/lists', { token: t.operatorKey });
    assert.ok(inForce.json().data.some((e: { id: string }) => e.id === allowed.json().id));
    const audited = await t.system.db.query<{ action: string }>(
      `select action from audit_log where action like 'risk.list.%' order by seq`,
    );
    assert.deepEqual(audited.map((a) => a.action).slice(-3), [
      'risk.list.block',
      'risk.list.removed',
      'risk.list.allow',
    ]);
  });

  it('refuses bad entries with a clear error and changes nothing; users cannot list', async () => {
    const { alice } = await funded();
    const list = (body: unknown, token = t.operatorKey) =>
      t.request('POST', '/v1/admin/risk/lists', { token, body });
    const before = (await t.request('GET', '/v1/admin/risk/lists', { token: t.operatorKey })).json()
      .data.length;
    const wrongKind = await list({ subject: 'device', value: alice.userId, action: 'block' });
    assert.equal(wrongKind.statusCode, 400);
    assert.equal(wrongKind.json().error.param, 'value');
    const past = await list({
      subject: 'user',
      value: alice.userId,
      action: 'block',
      expires_at: '2020-01-01T00:00:00Z',
    });
    assert.equal(past.statusCode, 400);
    assert.equal(past.json().error.param, 'expires_at');
    assert.equal(
      (await list({ subject: 'user', value: alice.userId, action: 'maybe' })).statusCode,
      400,
    );
    assert.equal(
      (await list({ subject: 'user', value: alice.userId, action: 'block' }, alice.token))
        .statusCode,
      403,
    );
    const after = (await t.request('GET', '/v1/admin/risk/lists', { token: t.operatorKey })).json()
      .data.length;
    assert.equal(after, before);
    assert.equal(
      (await t.request('DELETE', '/v1/admin/risk/lists/rle_nope', { token: t.operatorKey }))
        .statusCode,
      404,
    );
  });
});

describe('runtime features from PostgreSQL', () => {
  it('velocity, history, payee novelty and fan-in count what happened before', async () => {
    const { alice, bob } = await funded(1_000_000);
    for (const amount of [100, 200, 300])
      assert.equal((await send(alice, bob, amount)).statusCode, 201);
    const carol = await t.signUp();
    const { vector: v } = await runtimeFeatures(t.system.db.pool, {
      kind: 'p2p',
      userId: uuid('usr', alice.userId),
      walletId: uuid('wal', alice.walletId),
      deviceId: null,
      amountMinor: 400n,
      currency: 'USD',
      payeeAccountId: uuid('wal', carol.walletId),
      merchantCategory: null,
      at: new Date(),
    });
    assert.equal(v[featureIndex.user_count_24h], 3);
    assert.equal(v[featureIndex.user_sum_24h], 600);
    assert.equal(v[featureIndex.user_history_count], 3);
    assert.equal(v[featureIndex.amount_to_median_ratio], 2);
    assert.equal(v[featureIndex.payee_is_new], 1);
    assert.ok((v[featureIndex.account_age_days] ?? -1) >= 0);
    const { vector: toBob } = await runtimeFeatures(t.system.db.pool, {
      kind: 'p2p',
      userId: uuid('usr', alice.userId),
      walletId: uuid('wal', alice.walletId),
      deviceId: null,
      amountMinor: 400n,
      currency: 'USD',
      payeeAccountId: uuid('wal', bob.walletId),
      merchantCategory: null,
      at: new Date(),
    });
    assert.equal(toBob[featureIndex.payee_is_new], 0);
    assert.equal(toBob[featureIndex.payee_fan_in_24h], 1);
    assert.equal(toBob[featureIndex.payee_in_count_24h], 3);
  });
});

function uuid(prefix: 'usr' | 'wal' | 'trf' | 'pay', wire: string): string {
  const id = decodeId(prefix, wire);
  assert.ok(id !== null);
  return id;
}

describe('when scoring cannot finish in time', () => {
  it('P2P fails open: the transfer goes ahead, its decision marked and counted', async () => {
    const slow = await startTestSystem({
      env: { RISK_TIMEOUT_MS: '1', STEP_UP_LIMITS: 'USD=100000/10000000' },
    });
    try {
      const alice = await slow.signUp();
      const bob = await slow.signUp();
      await slow.fund(alice.walletId, 100_000);
      // Scoring takes a PostgreSQL round trip: 1 ms is rarely enough, so some of these time out.
      const failures = async () =>
        (
          await slow.system.db.query<{ n: string }>(
            `select count(*) as n from payments where risk ->> 'failed' = 'open' and payer_user_id = $1`,
            [uuid('usr', alice.userId)],
          )
        )[0]!.n;
      for (let i = 0; i < 20 && Number(await failures()) === 0; i += 1) {
        const sent = await slow.request('POST', '/v1/transfers', {
          token: alice.token,
          key: randomUUID(),
          body: { to: bob.email, amount: 100, currency: 'USD' },
        });
        assert.equal(sent.statusCode, 201, sent.body);
        assert.equal(sent.json().status, 'succeeded');
      }
      assert.ok(Number(await failures()) > 0, 'a transfer was scored past its time and went ahead');
      const metrics = await slow.request('GET', '/metrics', { token: slow.operatorKey });
      assert.match(metrics.body, /kassa_risk_failures_total\{kind="p2p",policy="open"\} [1-9]/);
    } finally {
      await slow.close();
    }
  });
});

describe('kassa risk promote', () => {
  it('promotes the bundled model or a stored version; refuses an unknown version and bad usage', async () => {
    const db = t.system.db.pool;
    const lines: string[] = [];
    assert.equal(
      await promoteCommand(['--version', 'gbdt_000000000000'], db, new Date(), (l) =>
        lines.push(l),
      ),
      1,
    );
    await assert.rejects(
      promoteCommand([], db, new Date(), () => {}),
      UsageError,
    );
    await assert.rejects(
      promoteCommand(['--bundled', '--version', version], db, new Date(), () => {}),
      UsageError,
    );
    assert.equal(
      await promoteCommand(['--bundled'], db, new Date(Date.now() + 1_000), (l) => lines.push(l)),
      0,
    );
    const bundled = bundledModel();
    assert.ok(bundled !== null);
    const [live] = await t.system.db.query<{ version: string }>(
      'select version from risk_models where promoted_at is not null order by promoted_at desc limit 1',
    );
    assert.equal(live!.version, bundled.version);
    const registry = createModelRegistry({ db, clock: t.system.clock });
    const current = await registry.current();
    assert.deepEqual([current?.version, current?.promoted], [bundled.version, true]);
    // A rollback: the earlier version is live again.
    assert.equal(
      await promoteCommand(['--version', version], db, new Date(Date.now() + 2_000), (l) =>
        lines.push(l),
      ),
      0,
    );
    const [back] = await t.system.db.query<{ version: string }>(
      'select version from risk_models where promoted_at is not null order by promoted_at desc limit 1',
    );
    assert.equal(back!.version, version);
    assert.match(lines.join('\n'), new RegExp(`promoted ${version}`));
  });
});
