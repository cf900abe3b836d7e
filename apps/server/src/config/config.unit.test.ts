import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('config', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.databaseUrl, undefined);
    assert.ok(Object.isFrozen(config));
  });

  it('reads the processor’s API key and callback secret as two settings', () => {
    const { processor } = loadConfig({
      PROCESSOR_API_KEY: 'a'.repeat(24),
      PROCESSOR_CALLBACK_SECRET: 'c'.repeat(24),
    });
    assert.deepEqual(
      [processor.apiKey, processor.callbackSecret],
      ['a'.repeat(24), 'c'.repeat(24)],
    );
  });

  it('allows plain HTTP off loopback only when asked, and TLS anywhere', () => {
    assert.equal(loadConfig({ HOST: '0.0.0.0', ALLOW_INSECURE_HTTP: 'true' }).host, '0.0.0.0');
    assert.ok(loadConfig({ HOST: '0.0.0.0', TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem' }).tls);
    assert.equal(loadConfig({ HOST: '127.0.0.1' }).tls, undefined);
  });

  for (const [env, message] of [
    [{ PORT: 'abc' }, /PORT must be an integer/],
    [{ PORT: '70000' }, /PORT must be between/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL must be a URL/],
    [{ DATABASE_URL: 'mysql://x@y/z' }, /DATABASE_URL must use postgres/],
    [{ KASSA_OPERATOR_KEY: 'short' }, /KASSA_OPERATOR_KEY must be at least 24/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ IDEMPOTENCY_KEY_TTL_HOURS: '24' }, /IDEMPOTENCY_KEY_TTL_HOURS must be between 168/],
    [{ HOST: '0.0.0.0' }, /refusing plain HTTP on 0\.0\.0\.0/],
    [{ TLS_CERT_FILE: 'cert.pem' }, /TLS_CERT_FILE and TLS_KEY_FILE must be set together/],
    [{ PROCESSOR_SECRET: 'p'.repeat(32) }, /PROCESSOR_API_KEY and PROCESSOR_CALLBACK_SECRET/],
    [
      { PROCESSOR_API_KEY: 'p'.repeat(32), PROCESSOR_CALLBACK_SECRET: 'p'.repeat(32) },
      /PROCESSOR_API_KEY and PROCESSOR_CALLBACK_SECRET must differ/,
    ],
    [{ PROCESSOR_CALLBACK_SECRET: 'short' }, /PROCESSOR_CALLBACK_SECRET must be at least 16/],
  ] as const) {
    it(`refuses ${JSON.stringify(env)} with one clear line`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, message);
          assert.ok(!error.message.includes('\n'));
          return true;
        },
      );
    });
  }
});
