import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/config.ts';
import { createSystem } from '../src/main/system.ts';
import { createDb } from '../src/platform/db.ts';
import { createLogger } from '../src/platform/log.ts';
import { migrate } from '../src/platform/migrate.ts';
import { createTestDatabase } from './support/test-database.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

describe('operations', () => {
  it('/livez and /readyz answer, and every response carries a Request-Id', async () => {
    const live = await t.request('GET', '/livez');
    assert.equal(live.statusCode, 200);
    assert.match(String(live.headers['request-id']), /^req_/);
    const ready = await t.request('GET', '/readyz');
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().checks.postgres.status, 'ok');
  });

  it('/readyz is 503 with Retry-After when PostgreSQL does not answer', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const down = await createSystem({
      config,
      databaseUrl: 'postgres://postgres@127.0.0.1:1/none',
      secrets: {
        operatorKey: `op_${randomBytes(24).toString('base64url')}`,
        tokenSecret: randomBytes(32).toString('base64url'),
        processorApiKey: randomBytes(32).toString('base64url'),
        processorCallbackSecret: randomBytes(32).toString('base64url'),
        operatorKeyGenerated: false,
        postgresPassword: 'unused',
        backupCipherPass: 'unused',
        backupCipherPassRepo2: 'unused',
      },
      logger: createLogger({ level: 'silent', name: 'down' }),
      role: 'test',
    });
    try {
      const ready = await down.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.headers['retry-after'], '1');
      assert.equal(ready.json().checks.postgres.status, 'failed');
      const live = await down.app.inject({ method: 'GET', url: '/livez' });
      assert.equal(live.statusCode, 200);
      const signUp = await down.app.inject({
        method: 'POST',
        url: '/v1/users',
        payload: { email: 'a@b.co', password: 'long enough password', name: 'A' },
      });
      assert.equal(signUp.statusCode, 503);
      assert.equal(signUp.json().error.code, 'service_unavailable');
      assert.equal(signUp.json().error.retryable, true);
    } finally {
      await down.close();
    }
  });

  it('/metrics exposes request, payment and ledger-imbalance metrics in Prometheus format', async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 100);
    await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key: randomUUID(),
      body: { to: bob.email, amount: 10, currency: 'USD' },
    });
    const anonymous = await t.request('GET', '/metrics');
    assert.equal(anonymous.statusCode, 401, 'metrics describe the business: the operator key');
    assert.equal((await t.request('GET', '/metrics', { token: alice.token })).statusCode, 403);
    const res = await t.request('GET', '/metrics', { token: t.operatorKey });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/plain/);
    assert.match(
      res.body,
      /kassa_http_requests_total\{route="\/v1\/transfers",method="POST",status="201"\} 1/,
    );
    assert.match(res.body, /kassa_http_request_duration_seconds_bucket/);
    assert.match(res.body, /kassa_payments_total\{kind="transfer",outcome="succeeded"\} 1/);
    assert.match(res.body, /kassa_ledger_imbalance_minor\{currency="USD",kind="posted"\} 0/);
    assert.match(res.body, /kassa_ledger_batch_size_commands_bucket/);
  });

  it('serves an OpenAPI 3.1 document covering the v1 routes, and browsable docs', async () => {
    const spec = (await t.request('GET', '/openapi.json')).json();
    assert.equal(spec.openapi, '3.1.0');
    for (const path of [
      '/v1/users',
      '/v1/sessions',
      '/v1/me',
      '/v1/wallets/{id}',
      '/v1/wallets/{id}/transactions',
      '/v1/merchants',
      '/v1/transfers',
      '/v1/transfers/{id}',
      '/v1/payments',
      '/v1/payments/{id}',
      '/v1/payments/{id}/capture',
      '/v1/payments/{id}/cancel',
      '/v1/refunds',
      '/v1/admin/funding',
      '/v1/admin/ledger/verify',
      '/v1/admin/ledger/transfers',
      '/v1/topups',
      '/v1/topups/{id}',
      '/v1/payouts',
      '/v1/payouts/{id}',
      '/v1/events',
      '/v1/events/{id}',
      '/v1/webhook_endpoints',
      '/v1/webhook_endpoints/{id}',
      '/v1/webhook_endpoints/{id}/rotate_secret',
      '/v1/webhook_endpoints/{id}/retry',
      '/v1/receipts/{id}',
    ]) {
      assert.ok(spec.paths[path], `missing ${path}`);
    }
    assert.equal(
      spec.paths['/v1/transfers'].post.requestBody.content['application/json'].schema
        .additionalProperties,
      false,
    );
    const docs = await t.request('GET', '/docs/');
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /swagger/i);
  });

  it('logs are JSON with request ids and never contain secrets', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      name: 'log-test',
      destination: { write: (line: string) => lines.push(line) },
    });
    logger.info(
      { body: { password: 'hunter2-secret' }, headers: { authorization: 'Bearer sk_test_secret' } },
      'x',
    );
    assert.ok(
      lines.every((line) => !line.includes('hunter2-secret') && !line.includes('sk_test_secret')),
    );
    assert.ok(JSON.parse(lines[0] ?? '{}').msg === 'x');
  });

  it('many processes migrating at once apply each migration exactly once', async () => {
    const database = await createTestDatabase();
    try {
      // A clone of the template is already migrated: start from an empty schema instead.
      const setup = createDb({
        connectionString: database.url,
        poolSizeMax: 1,
        applicationName: 'migrate-test',
      });
      await setup.query('drop schema public cascade');
      await setup.query('create schema public');
      await setup.close();
      const dbs = Array.from({ length: 5 }, () =>
        createDb({
          connectionString: database.url,
          poolSizeMax: 2,
          applicationName: 'migrate-test',
        }),
      );
      const reports = await Promise.all(dbs.map((db) => migrate(db)));
      assert.equal(
        reports.reduce((n, r) => n + r.applied.length, 0),
        reports.find((r) => r.applied.length > 0)?.applied.length,
      );
      await Promise.all(dbs.map((db) => db.close()));
    } finally {
      await database.drop();
    }
  });

  it('`kassa verify` exits 0 on a sound ledger and 1 with the mismatch on a tampered one', async () => {
    const alice = await t.signUp();
    await t.fund(alice.walletId, 4_200);
    const env = {
      ...process.env,
      DATABASE_URL: t.databaseUrl,
      KASSA_TOKEN_SECRET: t.tokenSecret,
      KASSA_OPERATOR_KEY: t.operatorKey,
      KASSA_DATA_DIR: `/tmp/kassa-cli-${randomUUID()}`,
    };
    const ok = await run(
      process.execPath,
      ['--import', 'tsx', 'apps/server/src/main/cli.ts', 'verify'],
      { cwd: root, env },
    );
    assert.match(ok.stdout, /ledger OK/);
    await t.system.db.query(
      `update ledger_accounts set credits_posted = credits_posted + 100 where code = 'user_wallet' and credits_posted = 4200`,
    );
    const bad = await run(
      process.execPath,
      ['--import', 'tsx', 'apps/server/src/main/cli.ts', 'verify'],
      { cwd: root, env },
    ).catch((error: { code: number; stdout: string }) => error);
    assert.equal((bad as { code: number }).code, 1);
    assert.match(bad.stdout, /LEDGER MISMATCH/);
    assert.match(bad.stdout, /"field": "credits_posted"/);
    await t.system.db.query(
      `update ledger_accounts set credits_posted = credits_posted - 100 where code = 'user_wallet' and credits_posted = 4300`,
    );
  });
});
