/**
 * Anomaly detection on business slices (issue 17 §3) through the running system: payments
 * written for one merchant's slice (a week ago, for its baseline, and the last hour, ending in
 * a decline spike), the worker's jobs run once on a controlled clock, and the anomaly shows in
 * the operator's feed, as `kassa_anomaly_active{slice,signal}` and at the ops webhook; once the
 * slice is back to normal it clears in all three.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Clock } from '../src/kernel/clock.ts';
import { decodeId, encodeId } from '../src/kernel/ids.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

const week = 10_080;

/** A UUIDv7 of millisecond `ms`: ids carry the time the detector scans payments by. */
function idAt(ms: number): string {
  const random = randomBytes(10).toString('hex');
  const variant = (8 + ((randomBytes(1)[0] ?? 0) & 3)).toString(16);
  return `${ms.toString(16).padStart(12, '0')}7${random.slice(0, 3)}${variant}${random.slice(3, 18)}`;
}

/** The ops webhook's receiver: every JSON body posted to it. */
async function startOpsReceiver() {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/kassa-anomalies`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>) {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > 10_000) throw new Error(`${what}: not within 10 s`);
    await sleep(25);
  }
}

let t: TestSystem;
let receiver: Awaited<ReturnType<typeof startOpsReceiver>>;
// The clock the system runs on: set to just after the minute the test wants judged.
let nowMs = 0;
const clock: Clock = { now: () => new Date(nowMs) };
// The first minute not judged yet; everything before is history the test writes.
const firstMinute = Math.floor(Date.now() / 60_000) - 1;

before(async () => {
  receiver = await startOpsReceiver();
  nowMs = firstMinute * 60_000;
  t = await startTestSystem({ clock, env: { OPS_WEBHOOK_URL: receiver.url } });
});
after(async () => {
  await t.close();
  await receiver.close();
});

/**
 * Writes `attempts` payments a minute to the merchant's slice for minutes [from, until), of
 * which `declined(minute)` declined (insufficient funds) and the rest succeeded.
 */
async function writeMinutes(
  merchant: { id: string; accountId: string },
  payerAccountId: string,
  from: number,
  until: number,
  attempts: number,
  declined: (minute: number) => number,
) {
  const ids: string[] = [];
  const at: Date[] = [];
  const statuses: string[] = [];
  for (let minute = from; minute < until; minute += 1)
    for (let i = 0; i < attempts; i += 1) {
      const ms = minute * 60_000 + Math.floor((i * 60_000) / attempts);
      ids.push(idAt(ms));
      at.push(new Date(ms));
      statuses.push(i < declined(minute) ? 'failed' : 'succeeded');
    }
  await t.system.db.pool.query(
    `insert into payments (id, kind, status, payer_account_id, merchant_id, payee_account_id,
                           amount, currency, failure_code, created_at, updated_at)
     select id, 'payment', status, $4, $5, $6, 1000, 'USD',
            case when status = 'failed' then 'insufficient_funds' end, at, at
       from unnest($1::uuid[], $2::timestamptz[], $3::text[]) as r (id, at, status)`,
    [ids, at, statuses, payerAccountId, merchant.id, merchant.accountId],
  );
}

/** Runs the worker's jobs once with the clock just past `untilMinute` (and its settling). */
async function judgeUntil(untilMinute: number) {
  nowMs = untilMinute * 60_000 + 45_000;
  const worker = t.system.startWorker(3_600_000);
  try {
    await worker.runOnce();
  } finally {
    await worker.stop();
  }
}

async function activeSeries(): Promise<string[]> {
  const res = await t.request('GET', '/metrics', { token: t.operatorKey });
  assert.equal(res.statusCode, 200);
  return res.body.split('\n').filter((line) => line.startsWith('kassa_anomaly_active{'));
}

async function operatorFeed(): Promise<{ type: string; title: string; body: string }[]> {
  const res = await t.request('GET', '/v1/notifications', { token: t.operatorKey });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().data;
}

describe('anomalies on a business slice', () => {
  let slice = '';
  let merchant: { id: string; accountId: string };
  let payerAccountId = '';

  before(async () => {
    const created = await t.createMerchant();
    const { rows } = await t.system.db.pool.query<{ id: string; account_id: string }>(
      'select id, account_id from merchants order by created_at desc limit 1',
    );
    const row = rows[0];
    assert.ok(row !== undefined && encodeId('mer', row.id) === created.id);
    merchant = { id: row.id, accountId: row.account_id };
    // A wallet's id is its ledger account's.
    payerAccountId = decodeId('wal', (await t.signUp()).walletId) ?? '';
    slice = `payment/${created.id}/USD`;
    // Its baseline: the same time a week ago, 30 payments a minute, 2 declined.
    await writeMinutes(
      merchant,
      payerAccountId,
      firstMinute - week - 130,
      firstMinute - week + 80,
      30,
      () => 2,
    );
    // The last hour: the same, then ten minutes where half the payments are declined.
    await writeMinutes(merchant, payerAccountId, firstMinute - 60, firstMinute, 30, (minute) =>
      minute >= firstMinute - 10 ? 15 : 2,
    );
  });

  it('raises a decline spike: the operator feed, the metric and the ops webhook', async () => {
    await judgeUntil(firstMinute);
    const feed = await operatorFeed();
    const raised = feed.filter((n) => n.type === 'business_anomaly');
    assert.ok(
      raised.some((n) => n.title === `Declines up: ${slice}`),
      JSON.stringify(feed),
    );
    const declines = raised.find((n) => n.title === `Declines up: ${slice}`);
    assert.match(declines?.body ?? '', /of attempts against 6\.7% usual \(z \d+/);
    assert.ok(
      (await activeSeries()).includes(
        `kassa_anomaly_active{slice="${slice}",signal="decline_rate"} 1`,
      ),
    );
    await waitFor('the ops webhook heard of it', () =>
      receiver.bodies.some((b) => b['type'] === 'anomaly.raised' && b['signal'] === 'decline_rate'),
    );
    const body = receiver.bodies.find((b) => b['signal'] === 'decline_rate');
    assert.equal(body?.['slice'], slice);
    assert.ok(Number(body?.['observed_share']) > 0.3 && Number(body?.['z']) > 4);
  });

  it('judges each minute once: a second pass changes nothing', async () => {
    const before = (await operatorFeed()).length;
    await judgeUntil(firstMinute);
    assert.equal((await operatorFeed()).length, before);
    assert.equal(
      receiver.bodies.filter((b) => b['type'] === 'anomaly.raised').length,
      receiver.bodies.length,
    );
  });

  it('clears when the slice is back to normal', async () => {
    await writeMinutes(merchant, payerAccountId, firstMinute, firstMinute + 40, 30, () => 2);
    await judgeUntil(firstMinute + 40);
    assert.deepEqual(
      (await activeSeries()).filter((line) => line.includes(`signal="decline_rate"`)),
      [],
    );
    const cleared = (await operatorFeed()).filter((n) => n.type === 'business_anomaly_cleared');
    assert.ok(cleared.some((n) => n.title === `Back to normal: declines, ${slice}`));
    await waitFor('the ops webhook heard it cleared', () =>
      receiver.bodies.some(
        (b) => b['type'] === 'anomaly.cleared' && b['signal'] === 'decline_rate',
      ),
    );
    const { rows } = await t.system.db.pool.query<{ open: number }>(
      'select count(*)::int as open from anomalies where cleared_at is null',
    );
    assert.equal(rows[0]?.open, 0);
  });
});
