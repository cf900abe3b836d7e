import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/config.ts';
import { eventConsumerNames } from '../src/main/system.ts';
import {
  defaultNatsUsers,
  natsPermissions,
  natsServerConfig,
} from '../src/modules/events/index.ts';

/** Both sides of NATS authentication: the worker's settings and the server's configuration. */
const shipped = join(import.meta.dirname, '..', '..', '..', 'deploy', 'nats', 'nats-server.conf');
const password = 'p'.repeat(24);

describe('NATS settings', () => {
  it('no credentials: an open server (local development)', () => {
    assert.equal(loadConfig({ NATS_URL: 'nats://127.0.0.1:4222' }).nats.credentials, undefined);
    assert.equal(loadConfig({}).nats.catchUpAfterSeconds, 60);
  });

  it('two identities, each a user and a password', () => {
    const { nats } = loadConfig({
      NATS_PUBLISHER_USER: 'pub',
      NATS_PUBLISHER_PASSWORD: password,
      NATS_CONSUMER_USER: 'con',
      NATS_CONSUMER_PASSWORD: `${password}x`,
      NATS_CATCH_UP_AFTER_SECONDS: '5',
    });
    assert.deepEqual(nats.credentials, {
      publisher: { user: 'pub', password },
      consumer: { user: 'con', password: `${password}x` },
    });
    assert.equal(nats.catchUpAfterSeconds, 5);
  });

  const both = {
    NATS_PUBLISHER_USER: 'pub',
    NATS_PUBLISHER_PASSWORD: password,
    NATS_CONSUMER_USER: 'con',
    NATS_CONSUMER_PASSWORD: password,
  };
  for (const [env, message] of [
    [{ NATS_PUBLISHER_USER: 'pub' }, /NATS_PUBLISHER_USER and NATS_PUBLISHER_PASSWORD/],
    [{ ...both, NATS_CONSUMER_PASSWORD: '' }, /NATS_CONSUMER_USER and NATS_CONSUMER_PASSWORD/],
    [{ ...both, NATS_CONSUMER_USER: '', NATS_CONSUMER_PASSWORD: '' }, /or neither/],
    [{ ...both, NATS_PUBLISHER_PASSWORD: 'short' }, /NATS_PUBLISHER_PASSWORD must be at least 16/],
    [{ ...both, NATS_CONSUMER_USER: 'pub' }, /must differ/],
    [{ ...both, NATS_CONSUMER_USER: 'a b' }, /NATS_CONSUMER_USER must be 1-64/],
    [{ NATS_CATCH_UP_AFTER_SECONDS: '0' }, /NATS_CATCH_UP_AFTER_SECONDS must be between 1/],
  ] as const) {
    it(`refuses ${JSON.stringify(env)}`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: Error) => error instanceof ConfigError && message.test(error.message),
      );
    });
  }
});

describe('the NATS server configuration', () => {
  it('deploy/nats/nats-server.conf is what `kassa nats-config` prints with the defaults', () => {
    const generated = natsServerConfig({
      stream: 'KASSA_EVENTS',
      consumers: eventConsumerNames,
      users: defaultNatsUsers,
    });
    assert.equal(readFileSync(shipped, 'utf8'), generated);
  });

  it('lets nobody in without a password, and keeps passwords out of the file', () => {
    const text = readFileSync(shipped, 'utf8');
    assert.doesNotMatch(text, /^\s*no_auth_user/m);
    assert.match(text, /password: \$NATS_PUBLISHER_PASSWORD\n/);
    assert.match(text, /password: \$NATS_CONSUMER_PASSWORD\n/);
    assert.equal(text.match(/^\s*user:/gm)?.length, 2);
  });

  it('gives each role only its part', () => {
    const { publisher, consumer } = natsPermissions('S', ['webhooks']);
    assert.ok(publisher.publish.includes('S.>'));
    assert.ok(!consumer.publish.some((subject) => subject.startsWith('S.')));
    assert.ok(!consumer.publish.some((subject) => subject.includes('.STREAM.')));
    assert.ok(!publisher.publish.some((subject) => subject.includes('CONSUMER')));
    assert.ok(!publisher.publish.some((subject) => subject.startsWith('$JS.ACK')));
    assert.ok(consumer.publish.includes('$JS.ACK.S.kassa_webhooks.>'));
    assert.ok(consumer.publish.includes('$JS.API.CONSUMER.MSG.NEXT.S.kassa_webhooks'));
    // Wildcards nowhere but the event subjects and each role's own inbox and acks.
    const wild = (subjects: readonly string[]) => subjects.filter((s) => /[*>]/.test(s));
    assert.deepEqual(wild(publisher.publish), ['S.>']);
    assert.deepEqual(wild(consumer.publish), ['$JS.ACK.S.kassa_webhooks.>']);
    assert.deepEqual(publisher.subscribe, ['_INBOX_kassa_publisher.>']);
    assert.deepEqual(consumer.subscribe, ['_INBOX_kassa_consumer.>']);
  });

  it('refuses names that would break out of the file', () => {
    assert.throws(() =>
      natsServerConfig({
        stream: 'S"\n}',
        consumers: [],
        users: defaultNatsUsers,
      }),
    );
  });
});
