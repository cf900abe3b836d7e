import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import { connect, type JsMsg, type Msg, type NatsConnection, type NatsError } from 'nats';
import { decodeId, encodeId, newUuid } from '../src/kernel/ids.ts';
import { eventConsumerNames } from '../src/main/system.ts';
import type { Worker } from '../src/main/worker.ts';
import {
  defaultNatsUsers,
  durableName,
  eventColumns,
  inboxPrefixes,
  jetstreamFeed,
  natsServerConfig,
  outboxLag,
  type NatsRole,
  type RelayedEvent,
} from '../src/modules/events/index.ts';
import { createLogger } from '../src/platform/log.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { startOwnServer, type OwnServer } from './support/own-server.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';
import { startWebhookReceiver } from './support/webhook-receiver.ts';

/**
 * NATS contents are not trusted (issue 11, item 13). A nats-server of the test's own runs the
 * configuration Kassa ships (`kassa nats-config`): two users with their own permissions and no
 * anonymous access. The test plays the attacker with each identity, and with none.
 */
const stream = `KASSA_TRUST_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const storeDir = mkdtempSync(join(tmpdir(), 'kassa-nats-trust-'));
const passwords: Record<NatsRole, string> = {
  publisher: randomBytes(18).toString('base64url'),
  consumer: randomBytes(18).toString('base64url'),
};
const catchUpAfterSeconds = 3;
const logLines: string[] = [];
let nats: OwnServer;
let url: string;
let t: TestSystem;
let worker: Worker;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let merchant: Awaited<ReturnType<TestSystem['createMerchant']>>;
let alice: Awaited<ReturnType<TestSystem['signUp']>>;
let bob: Awaited<ReturnType<TestSystem['signUp']>>;
/** Kassa's two identities in the attacker's hands (a stolen credential). */
const stolen: Partial<Record<NatsRole, NatsConnection>> = {};

before(
  async () => {
    const configFile = join(storeDir, 'nats-server.conf');
    writeFileSync(
      configFile,
      natsServerConfig({ stream, consumers: eventConsumerNames, users: defaultNatsUsers }),
    );
    nats = await startOwnServer(
      '/usr/sbin/nats-server',
      (port) => [
        ...['-c', configFile, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
        ...['-m', String(port + 1)], // monitoring (connections), on the port after it
      ],
      {
        env: {
          NATS_PUBLISHER_PASSWORD: passwords.publisher,
          NATS_CONSUMER_PASSWORD: passwords.consumer,
        },
      },
    );
    url = `nats://127.0.0.1:${nats.port}`;
    t = await startTestSystem({
      logLines,
      env: {
        NATS_URL: url,
        NATS_STREAM: stream,
        NATS_PUBLISHER_USER: defaultNatsUsers.publisher,
        NATS_PUBLISHER_PASSWORD: passwords.publisher,
        NATS_CONSUMER_USER: defaultNatsUsers.consumer,
        NATS_CONSUMER_PASSWORD: passwords.consumer,
        NATS_CATCH_UP_AFTER_SECONDS: String(catchUpAfterSeconds),
      },
    });
    worker = t.system.startWorker(3_600_000);
    receiver = await startWebhookReceiver();
    merchant = await t.createMerchant();
    const created = await t.request('POST', '/v1/webhook_endpoints', {
      token: merchant.secretKey,
      body: { url: receiver.url, events: ['*'] },
    });
    assert.equal(created.statusCode, 201, created.body);
    receiver.expectSecrets([created.json().secret as string]);
    alice = await t.signUp('Alice');
    bob = await t.signUp('Bob');
    await t.fund(alice.walletId, 100_000_000);
    await settle(); // the stream and the durable consumers exist from here on
    for (const role of ['publisher', 'consumer'] as const) stolen[role] = await identity(role);
  },
  { timeout: 60_000 },
);
after(async () => {
  if (process.env['KASSA_TEST_DEBUG'] === '1')
    console.log(logLines.filter((l) => /failed|parked|NATS/.test(l)).join('\n'));
  await Promise.all(Object.values(stolen).map((nc) => nc.close()));
  await worker?.stop();
  await receiver?.close();
  await t?.close();
  await nats?.kill();
  rmSync(storeDir, { recursive: true, force: true });
});

function identity(role: NatsRole, password = passwords[role]): Promise<NatsConnection> {
  return connect({
    servers: url,
    user: defaultNatsUsers[role],
    pass: password,
    inboxPrefix: inboxPrefixes[role],
  });
}

const publisherJs = () => (stolen.publisher as NatsConnection).jetstream({ timeout: 2_000 });
const consumerJsm = () => (stolen.consumer as NatsConnection).jetstreamManager();

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const rows = await t.system.db.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n);
}

/** Worker passes until every consumer's watermark reached the end of the outbox. */
async function settle(): Promise<void> {
  const readers = ['jetstream', ...eventConsumerNames];
  const started = performance.now();
  for (;;) {
    await worker.runOnce();
    const lag = await outboxLag(t.system.db.pool, readers);
    if ([...lag.values()].every((n) => n === 0)) return;
    assert.ok(performance.now() - started < 20_000, `lag stays ${JSON.stringify([...lag])}`);
    await sleep(50);
  }
}

/** Kassa's publisher alone (a feed with no consumers). */
function publisherFeed() {
  return jetstreamFeed({
    db: t.system.db,
    logger: createLogger({ level: 'silent', name: 'relay-only' }),
    metrics: createMetrics(),
    url,
    stream,
    consumers: [],
    credentials: {
      publisher: { user: defaultNatsUsers.publisher, password: passwords.publisher },
      consumer: { user: defaultNatsUsers.consumer, password: passwords.consumer },
    },
    catchUpAfterSeconds,
  });
}

/** Events reach the stream, nobody reads them. */
async function relayOnly(): Promise<void> {
  const feed = publisherFeed();
  try {
    // The relay reads below the cluster's oldest running transaction (other test files' too).
    for (let pass = 0; ; pass += 1) {
      await feed.pump();
      const lag = await outboxLag(t.system.db.pool, ['jetstream']);
      if (lag.get('jetstream') === 0) break;
      assert.ok(pass < 200, 'the relay published everything');
      await sleep(50);
    }
  } finally {
    await feed.close();
  }
}

async function expectRefused(action: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(action, (error: NatsError) => {
    assert.equal(error.code, code, error.message);
    return true;
  });
}

/** A subscription the server refuses ends its iterator with a permissions error. */
async function expectSubscriptionRefused(nc: NatsConnection, subject: string): Promise<void> {
  const sub = nc.subscribe(subject);
  await expectRefused(
    (async () => {
      for await (const message of sub) assert.fail(`received ${message.subject}`);
    })(),
    'PERMISSIONS_VIOLATION',
  );
}

async function parked(reason: string): Promise<number> {
  const metric = await t.system.metrics.jetstreamMessagesParked.get();
  return metric.values
    .filter((v) => v.labels['reason'] === reason)
    .reduce((sum, v) => sum + v.value, 0);
}

/** Every message was acked or terminated: none will come back (acks are applied shortly after). */
async function durablesIdle(): Promise<void> {
  const jsm = await consumerJsm();
  for (const name of eventConsumerNames) {
    for (let i = 0; ; i += 1) {
      const info = await jsm.consumers.info(stream, durableName(name));
      if (info.num_pending + info.num_ack_pending === 0) break;
      assert.ok(i < 20, `${name} has messages left: ${JSON.stringify(info)}`);
      await sleep(100);
    }
  }
}

async function transfer(amount: number): Promise<string> {
  const res = await t.request('POST', '/v1/transfers', {
    token: alice.token,
    key: randomUUID(),
    body: { to: bob.email, amount, currency: 'USD' },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<{ id: string }>().id;
}

async function pay(amount: number): Promise<string> {
  const res = await t.request('POST', '/v1/payments', {
    token: alice.token,
    key: randomUUID(),
    body: { merchant: merchant.id, amount, currency: 'USD' },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<{ id: string }>().id;
}

async function storedEvent(objectId: string, type: string): Promise<RelayedEvent> {
  const rows = await t.system.db.query<RelayedEvent>(
    `select ${eventColumns}, user_ids::text[] as user_ids, tx_id::text from events
      where object_id = $1 and type = $2`,
    [objectId, type],
  );
  assert.ok(rows[0] !== undefined, `no ${type} for ${objectId}`);
  return rows[0];
}

/** As the publisher encodes (the database's bigints as decimal strings). */
const json = (value: unknown) =>
  new TextEncoder().encode(
    JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  );
const bobsAlerts = async () =>
  (
    await t.system.db.query<{ body: string; event_id: string }>(
      `select body, event_id::text from notifications where user_id = $1 order by id`,
      [decodeId('usr', bob.userId)],
    )
  ).map((n) => [n.event_id, n.body]);

it(
  'NATS lets in only Kassa identities, each for its own part; the relay delivers every event once',
  { timeout: 60_000 },
  async () => {
    await expectRefused(connect({ servers: url }), 'AUTHORIZATION_VIOLATION');
    await expectRefused(identity('consumer', 'not-the-password-at-all'), 'AUTHORIZATION_VIOLATION');
    const publisher = stolen.publisher as NatsConnection;
    const consumer = stolen.consumer as NatsConnection;

    // The consumer identity cannot publish events, touch the stream, or read the stream's subjects.
    await expectRefused(
      consumer.jetstream().publish(`${stream}.transfer.received`, json({}), { timeout: 1_000 }),
      'PERMISSIONS_VIOLATION',
    );
    await expectRefused(
      (await consumerJsm()).streams.update(stream, { max_msgs: 1 }),
      'PERMISSIONS_VIOLATION',
    );
    await expectSubscriptionRefused(consumer, `${stream}.>`);
    // Nor can the publisher: and neither may read replies meant for anyone else.
    await expectSubscriptionRefused(publisher, `${stream}.>`);
    await expectSubscriptionRefused(publisher, `${inboxPrefixes.consumer}.>`);
    await expectSubscriptionRefused(consumer, '_INBOX.>');

    // The publisher cannot take messages from Kassa's consumers, nor ack one someone else holds.
    const paid = await pay(321);
    await relayOnly();
    await expectRefused(
      publisher.request(`$JS.API.CONSUMER.MSG.NEXT.${stream}.kassa_cache`, json({ batch: 1 }), {
        timeout: 1_000,
      }),
      'PERMISSIONS_VIOLATION',
    );
    const cache = await consumer.jetstream().consumers.get(stream, durableName('cache'));
    let held: JsMsg | undefined;
    for await (const message of await cache.fetch({ max_messages: 1, expires: 2_000 }))
      held = message;
    // The ack subject (`$JS.ACK.<stream>.kassa_cache.…`) is the message's reply subject.
    const ackSubject = (held as unknown as { msg?: Msg } | undefined)?.msg?.reply;
    assert.ok(held !== undefined && ackSubject !== undefined, 'the consumer identity fetched it');
    await expectRefused(
      publisher.request(ackSubject, new TextEncoder().encode('+ACK'), { timeout: 1_000 }),
      'PERMISSIONS_VIOLATION',
    );
    assert.equal((await cache.info()).num_ack_pending, 1, 'still unacknowledged');
    held.nak(); // handed back: Kassa's worker takes it on its next pass

    // With both identities, Kassa's relay delivers each event to each consumer once.
    const objects = [paid, await transfer(1_111)];
    for (let i = 0; i < 10; i += 1) objects.push(await pay(100 + i));
    await settle();
    const events = await count(
      `select count(*)::text as n from events where object_id = any($1::text[])`,
      [objects],
    );
    for (const name of eventConsumerNames)
      assert.equal(
        await count(
          `select count(*)::text as n from consumed_events c join events e on e.id = c.event_id
          where c.consumer = $1 and e.object_id = any($2::text[])`,
          [name, objects],
        ),
        events,
        `${name} handled every event`,
      );
    for (const id of objects.filter((id) => id.startsWith('pay_')))
      assert.ok(
        [...receiver.processed.values()].some((e) => e.data.object.id === id),
        id,
      );
    assert.equal(receiver.stats.duplicates, 0);
    await durablesIdle();
    assert.equal(await parked('unknown_event'), 0);
    assert.ok(!logLines.some((line) => line.includes('NATS is unauthenticated')));
  },
);

it(
  'a forged event (an invented id) is parked: no alert, no webhook',
  { timeout: 60_000 },
  async () => {
    const real = await storedEvent(await transfer(2_222), 'transfer.received');
    const paid = await storedEvent(await pay(333), 'payment.succeeded');
    await settle();
    const alerts = await bobsAlerts();
    const webhooks = receiver.stats.requests;
    const forgedTransfer = {
      ...real,
      id: newUuid(),
      data: { object: { ...(real.data.object as object), amount: 250_000_000 } },
    };
    const forgedPayment = {
      ...paid,
      id: newUuid(),
      data: { object: { ...(paid.data.object as object), amount: 250_000_000 } },
    };
    const js = publisherJs();
    for (const forged of [forgedTransfer, forgedPayment])
      await js.publish(`${stream}.${forged.type}`, json(forged), {
        msgID: encodeId('evt', forged.id),
      });
    const before = await parked('unknown_event');
    await settle();
    await worker.runOnce();

    assert.deepEqual(await bobsAlerts(), alerts, 'no alert from a forged event');
    assert.equal(
      await count(`select count(*)::text as n from webhook_deliveries where event_id = any($1)`, [
        [forgedTransfer.id, forgedPayment.id],
      ]),
      0,
    );
    assert.equal(receiver.stats.requests, webhooks);
    assert.equal(await parked('unknown_event'), before + 2 * eventConsumerNames.length);
    assert.ok(
      logLines.some(
        (line) =>
          line.includes('JetStream message parked') && line.includes(`${stream}.transfer.received`),
      ),
      'logged with its subject',
    );
    await durablesIdle();
  },
);

it(
  'a copy of a real event with a changed amount: the stored event is what is handled',
  { timeout: 60_000 },
  async () => {
    // The attacker is first: Kassa's own publish of this id is then a duplicate JetStream drops.
    const real = await storedEvent(await transfer(1_234), 'transfer.received');
    const tampered = {
      ...real,
      data: { object: { ...(real.data.object as object), amount: 250_000_000 } },
    };
    await publisherJs().publish(`${stream}.transfer.received`, json(tampered), {
      msgID: encodeId('evt', real.id),
    });
    const before = await parked('tampered');
    await settle();

    const alerts = (await bobsAlerts()).filter(([eventId]) => eventId === real.id);
    assert.deepEqual(alerts, [[real.id, 'You received 12.34 USD.']]);
    assert.equal(await parked('tampered'), before + eventConsumerNames.length);
    await durablesIdle();
  },
);

it(
  'malformed messages are parked one by one; the rest of their batch and later events flow',
  { timeout: 60_000 },
  async () => {
    const js = publisherJs();
    const garbage = async () => {
      await js.publish(`${stream}.transfer.received`, new TextEncoder().encode('{"id": nope'), {
        msgID: encodeId('evt', newUuid()),
      });
      await js.publish(`${stream}.evil.type`, json({ type: 'evil.type', id: newUuid() }), {
        msgID: encodeId('evt', newUuid()),
      });
      await js.publish(`${stream}.transfer.received`, json({ type: 'transfer.received' }));
      await js.publish(`${stream}.transfer.received`, json({ type: 'transfer.received' }), {
        msgID: `evt_not-an-id-${randomUUID()}`,
      });
      await js.publish(`${stream}.transfer.received`, json([1, 2, 3]), {
        msgID: encodeId('evt', newUuid()),
      });
    };
    const before = {
      malformed: await parked('malformed'),
      unknownType: await parked('unknown_type'),
      invalidId: await parked('invalid_id'),
    };
    await garbage();
    const first = [await pay(444), await transfer(555)]; // in the same batches as the garbage
    await garbage();
    await settle();
    await garbage();
    const later = [await pay(666), await transfer(777)];
    await settle();

    for (const id of [...first, ...later].filter((id) => id.startsWith('pay_')))
      assert.ok(
        [...receiver.processed.values()].some((e) => e.data.object.id === id),
        id,
      );
    for (const id of [...first, ...later].filter((id) => id.startsWith('trf_'))) {
      const event = await storedEvent(id, 'transfer.received');
      assert.equal((await bobsAlerts()).filter(([e]) => e === event.id).length, 1, id);
    }
    const consumers = eventConsumerNames.length;
    assert.equal(await parked('malformed'), before.malformed + 3 * 2 * consumers);
    assert.equal(await parked('unknown_type'), before.unknownType + 3 * consumers);
    assert.equal(await parked('invalid_id'), before.invalidId + 3 * 2 * consumers);
    await durablesIdle();
  },
);

it(
  'acks taken by someone else: the consumer catches up from the outbox, each event once',
  { timeout: 60_000 },
  async () => {
    const objects = [await transfer(888), await pay(999)];
    // Kassa's relay publishes; a thief with the consumer credential takes and acks every alert.
    await relayOnly();
    const alerts = await (stolen.consumer as NatsConnection)
      .jetstream()
      .consumers.get(stream, durableName('notifications'));
    const taken: JsMsg[] = [];
    for await (const message of await alerts.fetch({ max_messages: 100, expires: 2_000 }))
      taken.push(message);
    await Promise.all(taken.map((message) => message.ackAck()));
    const events = await count(
      `select count(*)::text as n from events where object_id = any($1::text[])`,
      [objects],
    );
    assert.equal(taken.length, events, 'the thief took and acked every event about them');
    const caughtUp = async () =>
      (await t.system.metrics.outboxEventsCaughtUp.get()).values.find(
        (v) => v.labels['consumer'] === 'notifications',
      )?.value ?? 0;
    const before = await caughtUp();

    const event = await storedEvent(objects[0] as string, 'transfer.received');
    const started = performance.now();
    while ((await bobsAlerts()).every(([e]) => e !== event.id)) {
      assert.ok(performance.now() - started < (catchUpAfterSeconds + 10) * 1000, 'caught up');
      await worker.runOnce();
      await sleep(200);
    }
    await settle();
    assert.deepEqual(
      (await bobsAlerts()).filter(([e]) => e === event.id),
      [[event.id, 'You received 8.88 USD.']],
    );
    assert.equal(await caughtUp(), before + taken.length, 'counted in the metric');
    // Webhooks had their own messages: nothing to catch up, nothing sent twice.
    assert.ok([...receiver.processed.values()].some((e) => e.data.object.id === objects[1]));
    assert.equal(receiver.stats.duplicates, 0);
    assert.ok(logLines.some((line) => line.includes('events read from the outbox')));
  },
);

it(
  'a server that lost its store: stream and consumers are made again, lost events caught up',
  { timeout: 60_000 },
  async () => {
    const published = await pay(1_001);
    await relayOnly();
    await nats.kill();
    rmSync(join(storeDir, 'jetstream'), { recursive: true, force: true });
    await nats.restart();
    const later = await pay(1_002);
    const started = performance.now();
    const delivered = (id: string) =>
      [...receiver.processed.values()].some((e) => e.data.object.id === id);
    while (!delivered(published) || !delivered(later)) {
      assert.ok(performance.now() - started < (catchUpAfterSeconds + 20) * 1000, 'delivered');
      await worker.runOnce();
      await sleep(200);
    }
    await settle();
    assert.equal(receiver.stats.duplicates, 0);
    const info = await (await consumerJsm()).consumers.info(stream, durableName('webhooks'));
    assert.ok(info.delivered.stream_seq >= 1, 'the durable consumer exists again');
  },
);

it(
  'a feed closed after an outage leaves no NATS connection behind',
  { timeout: 60_000 },
  async () => {
    const monitor = `http://127.0.0.1:${nats.port + 1}/connz`;
    const connections = async () =>
      ((await (await fetch(monitor)).json()) as { num_connections: number }).num_connections;
    const works = (feed: ReturnType<typeof publisherFeed>) =>
      feed.pump().then(
        () => true,
        () => false,
      );
    const before = await connections();
    const feed = publisherFeed();
    let down = false;
    try {
      await feed.pump();
      await nats.kill();
      down = true;
      // A pass with an event to publish fails (once the relay sees the event: it reads below the
      // cluster's oldest transaction); the next one fails setting the stream up again.
      await pay(1_100);
      for (let i = 0; await works(feed); i += 1) {
        assert.ok(i < 100, 'a pass fails while NATS is down');
        await sleep(100);
      }
      await assert.rejects(feed.pump());
      await nats.restart();
      down = false;
      for (let i = 0; !(await works(feed)); i += 1) {
        assert.ok(i < 50, 'the feed works again');
        await sleep(200);
      }
    } finally {
      await feed.close();
      if (down) await nats.restart();
    }
    // Everyone else reconnects (the worker, the stolen identities); the closed feed does not.
    for (let i = 0; (await connections()) !== before; i += 1) {
      assert.ok(i < 50, `${await connections()} connections, ${before} before`);
      await sleep(200);
    }
    await settle();
  },
);
