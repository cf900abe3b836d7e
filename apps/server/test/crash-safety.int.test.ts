import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { decodeId } from '../src/kernel/ids.ts';
import { maskCardNumbers } from '../src/modules/vault/index.ts';
import { startApiProcess } from './support/api-process.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('crash safety', () => {
  it('an API process killed mid-transaction leaves nothing behind; the retry with the same key succeeds once', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 5_000);
    const journalBefore = (
      await t.system.db.query<{ n: string }>('select count(*)::text as n from journal_events')
    )[0]?.n;
    // The child API shares the database and the signing secret of the in-process system.
    const api = await startApiProcess({
      DATABASE_URL: t.databaseUrl,
      KASSA_TOKEN_SECRET: t.tokenSecret,
      KASSA_OPERATOR_KEY: t.operatorKey,
      KASSA_DATA_DIR: `/tmp/kassa-crash-${randomUUID()}`,
    });
    const blocker = new pg.Client({ connectionString: t.databaseUrl });
    await blocker.connect();
    try {
      // Hold Alice's wallet row so the API's transaction stops midway, after claiming the key.
      await blocker.query('begin');
      await blocker.query('select 1 from ledger_accounts where id = $1 for update', [
        decodeId('wal', alice.walletId),
      ]);
      const key = randomUUID();
      const body = { to: bob.email, amount: 1_234, currency: 'USD' };
      const inFlight = fetch(`${api.url}/v1/transfers`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${alice.token}`,
          'idempotency-key': key,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      }).then(
        () => 'answered',
        () => 'connection lost',
      );
      await waitFor(async () => {
        const rows = await t.system.db.query(
          `select 1 from pg_stat_activity where application_name = 'kassa-api' and wait_event_type = 'Lock'`,
        );
        return rows.length > 0;
      }, 'the API transaction to block on the wallet lock');
      await api.kill('SIGKILL');
      assert.equal(await inFlight, 'connection lost');
      await blocker.query('rollback');
      await waitFor(
        async () =>
          (
            await t.system.db.query(
              `select 1 from pg_stat_activity where application_name = 'kassa-api'`,
            )
          ).length === 0,
        'the dead backend to go away',
      );

      const keys = await t.system.db.query('select 1 from idempotency_keys where key = $1', [
        maskCardNumbers(key),
      ]);
      assert.equal(keys.length, 0, 'the claim rolled back with the transaction');
      assert.equal((await t.balance(alice.token, alice.walletId)).balance, 5_000);
      assert.equal((await t.balance(bob.token, bob.walletId)).balance, 0);
      const journalAfter = (
        await t.system.db.query<{ n: string }>('select count(*)::text as n from journal_events')
      )[0]?.n;
      assert.equal(journalAfter, journalBefore, 'no journal event from the killed request');

      const retry = await t.request('POST', '/v1/transfers', { token: alice.token, key, body });
      assert.equal(retry.statusCode, 201, retry.body);
      const again = await t.request('POST', '/v1/transfers', { token: alice.token, key, body });
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal((await t.balance(bob.token, bob.walletId)).balance, 1_234);
      assert.equal(
        (await t.request('GET', '/v1/admin/ledger/verify', { token: t.operatorKey })).json()
          .balanced,
        true,
      );
    } finally {
      await blocker.end();
      await api.kill('SIGKILL');
    }
  });
});
