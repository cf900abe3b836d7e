import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import { decodeId } from '../src/kernel/ids.ts';
import { startApiProcess, type ServerProcess } from './support/api-process.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';
import { maskCardNumbers } from '../src/modules/vault/index.ts';

/**
 * A top-up's recovery points: after phase 1 committed (`started`), after the processor answered
 * but before the outcome was recorded (`processor_answered`), and after it was recorded but
 * before the client heard (`finished`). The API process dies by SIGKILL at each in turn; a
 * restarted process gets the client's retry with the same key: one charge, one credit.
 */
const vaultKeys = JSON.stringify({
  current: 'v1',
  keks: { v1: randomBytes(32).toString('base64') },
  fingerprint_key: randomBytes(32).toString('base64'),
});

let t: TestSystem;
let restarted: ServerProcess;

function processEnv(extra: Record<string, string> = {}): Record<string, string> {
  const address = t.sim?.app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  return {
    DATABASE_URL: t.databaseUrl,
    KASSA_TOKEN_SECRET: t.tokenSecret,
    KASSA_OPERATOR_KEY: t.operatorKey,
    KASSA_VAULT_KEYS: vaultKeys,
    KASSA_DATA_DIR: `/tmp/kassa-rails-crash-${randomUUID()}`,
    PROCESSOR_URL: `http://127.0.0.1:${address.port}`,
    PROCESSOR_API_KEY: t.processorApiKey,
    PROCESSOR_CALLBACK_SECRET: t.processorCallbackSecret,
    // Long enough that a loaded machine still hears the processor (the crash points need
    // its answer); the lease after a crash is (timeout + 1 s) + 2 s.
    PROCESSOR_TIMEOUT_MS: '2000',
    PROCESSOR_RETRIES: '0',
    RATE_LIMIT_USER_PER_MINUTE: '0',
    ...extra,
  };
}

before(async () => {
  t = await startTestSystem({ processor: true, env: { KASSA_VAULT_KEYS: vaultKeys } });
  restarted = await startApiProcess(processEnv());
});
after(async () => {
  await restarted.kill();
  await t.close();
});

async function post(url: string, token: string, key: string, body: unknown) {
  return fetch(`${url}/v1/topups`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'idempotency-key': key,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
}

for (const point of ['topup.started', 'topup.processor_answered', 'topup.finished']) {
  it(`killed at ${point}: the retry on a restarted process charges once and credits once`, async () => {
    const user = await t.signUp();
    const pm = await t.addCard(user.token, '4242424242424242');
    const body = { payment_method: pm, amount: 4_321, currency: 'USD' };
    const key = randomUUID();

    const doomed = await startApiProcess(processEnv({ KASSA_FAULT_CRASH_AT: point }));
    const exited = new Promise((resolve) =>
      doomed.child.once('exit', (_code, signal) => resolve(signal)),
    );
    await assert.rejects(post(doomed.url, user.token, key, body), 'the client hears nothing');
    assert.equal(await exited, 'SIGKILL');

    // The client retries with the same key. A flow the dead process leased is in progress
    // (409 + Retry-After) until the lease lapses; then the new process resumes it.
    let answer: Response | undefined;
    let conflicts = 0;
    for (let i = 0; i < 120; i += 1) {
      const res = await post(restarted.url, user.token, key, body);
      if (res.status !== 409) {
        answer = res;
        break;
      }
      conflicts += 1;
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
      await sleep(250);
    }
    assert.ok(answer !== undefined, 'the retry got an answer');
    const topup = (await answer.json()) as { id: string; status: string };
    assert.equal(answer.status, 201, JSON.stringify(topup));
    assert.equal(topup.status, 'succeeded');
    if (point === 'topup.finished') assert.equal(conflicts, 0, 'a finished flow replays at once');

    const id = decodeId('top', topup.id);
    const captures = (t.sim?.store.settlement ?? []).filter(
      (e) => e.idempotency_key === `kassa_topup_${id}`,
    );
    assert.equal(captures.length, 1, 'one charge');
    const credits = await t.system.db.query<{ n: string }>(
      "select count(*)::text as n from ledger_transfers where credit_account_id = $1 and code = 'topup'",
      [decodeId('wal', user.walletId)],
    );
    assert.equal(credits[0]?.n, '1', 'one credit');
    assert.equal((await t.balance(user.token, user.walletId)).balance, 4_321);
    const flows = await t.system.db.query(
      'select 1 from processor_flows where idempotency_key = $1',
      // Stored as the server stores keys: digits that read as a card number are masked.
      [maskCardNumbers(key)],
    );
    assert.equal(flows.length, 1);
  });
}
