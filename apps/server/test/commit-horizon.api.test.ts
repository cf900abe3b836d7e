/**
 * Chaos fault 7 (issue 13): a long transaction elsewhere in the cluster (a report, a dump, a
 * forgotten psql session) must not hold back webhooks, alerts and journal sealing. Only Kassa's
 * own running transactions do, since one of them may still commit events below the others.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { after, before, describe, it } from 'node:test';
import { outboxLag } from '../src/modules/events/index.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

/** Runs the worker until the notifications consumer has nothing left, or `ms` pass. */
async function relayFor(ms: number): Promise<number> {
  const worker = t.system.startWorker(3_600_000);
  const deadline = performance.now() + ms;
  let lag = -1;
  try {
    for (;;) {
      await worker.runOnce();
      lag = (await outboxLag(t.system.db.pool, ['notifications'])).get('notifications') ?? -1;
      if (lag === 0 || performance.now() > deadline) return lag;
      await sleep(25);
    }
  } finally {
    await worker.stop();
  }
}

async function pay(from: { token: string }, to: { email: string }) {
  const res = await t.request('POST', '/v1/transfers', {
    token: from.token,
    key: randomUUID(),
    body: { to: to.email, amount: 100, currency: 'USD' },
  });
  assert.equal(res.statusCode, 201, res.body);
}

describe('the commit horizon (chaos fault 7)', () => {
  it('a foreign transaction holding an xid does not hold back alerts', async () => {
    const alice = await t.signUp('Alice');
    const bob = await t.signUp('Bob');
    await t.fund(alice.walletId, 10_000);
    // A report someone left open: it wrote (it has an xid) and sits idle in its transaction.
    const report = new pg.Client({ connectionString: t.databaseUrl });
    await report.connect();
    try {
      await report.query('begin');
      await report.query('select pg_current_xact_id()');
      await pay(alice, bob);
      assert.equal(await relayFor(20_000), 0, 'every event relayed while the report is open');
      const feed = await t.request('GET', '/v1/notifications', { token: bob.token });
      assert.deepEqual(
        feed.json().data.map((n: { type: string }) => n.type),
        ['money_received'],
      );
    } finally {
      await report.query('rollback').catch(() => undefined);
      await report.end();
    }
  });

  it("Kassa's own running transaction does hold them back (it may still commit events below)", async () => {
    const alice = await t.signUp('Alice');
    const bob = await t.signUp('Bob');
    await t.fund(alice.walletId, 10_000);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const writer = t.system.db.transaction(async (client) => {
      await client.query('select pg_current_xact_id()');
      started();
      await gate;
    });
    await running;
    try {
      await pay(alice, bob);
      assert.ok((await relayFor(1_000)) > 0, 'the later commit waits behind the open Kassa one');
    } finally {
      release();
      await writer;
    }
    assert.equal(await relayFor(20_000), 0, 'and flows once it ends');
  });
});
