import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/config.ts';
import { traceStory, type StoryEntry, type TraceStory } from '../src/modules/traces/index.ts';
import { dropExpiredTracePartitions } from '../src/platform/trace-store.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';
import { runWorkerUntil } from './support/worker-until.ts';

/**
 * Issue 17 §4: one trace from the API through PostgreSQL, the worker, webhooks and the
 * processor stand-in, stored in PostgreSQL (no OTLP endpoint) and told back by `kassa trace`.
 */
const logLines: string[] = [];
let t: TestSystem;
/** The top-up the first test made (the CLI test tells its story again). */
let topupId = '';
before(async () => {
  t = await startTestSystem({ processor: true, logLines });
});
after(() => t.close());

type Span = Extract<StoryEntry, { kind: 'span' }>;
type Log = Extract<StoryEntry, { kind: 'log' }>;
const spansOf = (story: TraceStory) => story.entries.filter((e): e is Span => e.kind === 'span');
const logsOf = (story: TraceStory) => story.entries.filter((e): e is Log => e.kind === 'log');

/** Flushes the buffered spans and log lines until the story has what `ready` wants. */
async function storyWhen(
  subject: string,
  ready: (story: TraceStory) => boolean,
  timeoutMs = 10_000,
): Promise<TraceStory> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    await t.system.telemetry.flush();
    const story = await traceStory(t.system.db.pool, subject);
    if (ready(story)) return story;
    if (performance.now() > deadline)
      throw new Error(`the story of ${subject} never got there: ${JSON.stringify(story, null, 1)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A merchant's receiver that answers 200 and keeps the headers of what it got. */
async function headerKeepingReceiver() {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('tracing', () => {
  it('a top-up is one trace: request, database, processor call and the stand-in, with its log lines', async () => {
    const user = await t.signUp();
    const card = await t.addCard(user.token, '4242424242424242');
    const res = await t.request('POST', '/v1/topups', {
      token: user.token,
      key: randomUUID(),
      body: { payment_method: card, amount: 5_000, currency: 'USD' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const topup = res.json<{ id: string; status: string }>();
    assert.equal(topup.status, 'succeeded');
    topupId = topup.id;
    const requestId = String(res.headers['request-id']);

    const story = await storyWhen(topup.id, (s) =>
      spansOf(s).some((span) => span.service === 'kassa-processor-sim'),
    );
    const spans = spansOf(story);
    const request = spans.find((s) => s.name === 'POST /v1/topups');
    assert.ok(request, 'the request span');
    assert.equal(request.requestId, requestId);
    assert.equal(request.attributes['http.response.status_code'], 201);
    assert.equal(request.attributes['enduser.id'], user.userId);
    const trace = request.traceId;
    const inTrace = spans.filter((s) => s.traceId === trace);
    assert.ok(
      inTrace.some((s) => s.name === 'db.transaction'),
      'a database span',
    );
    const charge = inTrace.find((s) => s.name === 'processor.charge');
    assert.ok(charge, 'the processor call');
    assert.equal(charge.objectId, topup.id);
    assert.equal(charge.attributes['kassa.processor.result'], 'answered');
    // The stand-in continued the trace from the attempt's traceparent header.
    const attempt = inTrace.find((s) => s.name === 'processor.attempt');
    const sim = inTrace.find((s) => s.service === 'kassa-processor-sim');
    assert.ok(attempt && sim, 'the attempt and the stand-in handling it');
    assert.equal(sim.parentSpanId, attempt.spanId);
    assert.equal(sim.attributes['http.response.status_code'], 200);

    const logs = logsOf(story).filter((l) => l.traceId === trace);
    const requestLine = logs.find((l) => l.message === 'request');
    assert.ok(requestLine, "the request's log line is in the story");
    assert.equal(requestLine.requestId, requestId);
    assert.equal(requestLine.actor, user.userId);
    assert.ok(
      story.entries.some((e) => e.kind === 'journal'),
      'journal events',
    );
    const [payment] = story.payments;
    assert.equal(payment?.id, topup.id);
    assert.equal(payment.processorFlow?.['recovery_point'], 'finished');
    assert.ok(payment.risk !== null, 'the stored risk decision');
    // In time order.
    const times = story.entries.map((e) => e.at.getTime());
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );

    // Asked by the request id, the same trace comes back.
    const byRequest = await traceStory(t.system.db.pool, requestId);
    assert.deepEqual(byRequest.traceIds, [trace]);
    assert.ok(byRequest.payments.some((p) => p.id === topup.id));
  });

  it("a payment's webhook send continues the payment's trace, traceparent included", async () => {
    const receiver = await headerKeepingReceiver();
    try {
      const merchant = await t.createMerchant();
      const endpoint = await t.request('POST', '/v1/webhook_endpoints', {
        token: merchant.secretKey,
        body: { url: receiver.url, events: ['payment.succeeded'] },
      });
      assert.equal(endpoint.statusCode, 201, endpoint.body);
      const payer = await t.signUp();
      await t.fund(payer.walletId, 100_000);
      const res = await t.request('POST', '/v1/payments', {
        token: payer.token,
        key: randomUUID(),
        body: { merchant: merchant.id, amount: 1_250, currency: 'USD' },
      });
      assert.equal(res.statusCode, 201, res.body);
      const payment = res.json<{ id: string }>();
      await runWorkerUntil(
        t.system,
        async () => receiver.received.length > 0,
        'the webhook was received',
      );

      const story = await storyWhen(payment.id, (s) =>
        spansOf(s).some((span) => span.name === 'webhook.deliver'),
      );
      const spans = spansOf(story);
      const request = spans.find((s) => s.name === 'POST /v1/payments');
      assert.ok(request, 'the request span');
      const trace = request.traceId;
      const inTrace = spans.filter((s) => s.traceId === trace);
      assert.ok(
        inTrace.some((s) => s.name === 'ledger.command'),
        'the ledger command',
      );
      assert.ok(
        inTrace.some((s) => s.name === 'db.transaction'),
        'a database span',
      );
      assert.ok(
        inTrace.some((s) => s.name === 'event webhooks'),
        "the worker's fan-out",
      );
      const send = inTrace.find((s) => s.name === 'webhook.deliver');
      assert.ok(send, 'the webhook attempt is in the same trace');
      assert.equal(send.attributes['kassa.webhook.outcome'], 'delivered');
      assert.equal(send.requestId, request.requestId, 'the worker knows the request it serves');
      const traceparent = String(receiver.received[0]?.['traceparent']);
      assert.match(traceparent, new RegExp(`^00-${trace}-${send.spanId}-01$`));
      const delivery = story.entries.find((e) => e.kind === 'webhook');
      assert.equal(delivery?.kind === 'webhook' && delivery.status, 'delivered');
      assert.ok(
        logsOf(story).some((l) => l.traceId === trace),
        'log lines of the trace',
      );
    } finally {
      await receiver.close();
    }
  });

  it("continues a caller's traceparent, and refuses a malformed one", async () => {
    const user = await t.signUp();
    const traceId = randomBytes(16).toString('hex');
    const parentSpanId = randomBytes(8).toString('hex');
    const res = await t.request('GET', '/v1/me', {
      token: user.token,
      headers: { traceparent: `00-${traceId}-${parentSpanId}-01` },
    });
    assert.equal(res.statusCode, 200);
    const requestId = String(res.headers['request-id']);
    const story = await storyWhen(requestId, (s) => spansOf(s).length > 0);
    assert.deepEqual(story.traceIds, [traceId]);
    const [span] = spansOf(story);
    assert.equal(span?.parentSpanId, parentSpanId);
    const line = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['request_id'] === requestId);
    assert.equal(line?.['trace_id'], traceId);
    assert.equal(line['actor'], user.userId);

    const bad = await t.request('GET', '/v1/me', {
      token: user.token,
      headers: { traceparent: `00-${'0'.repeat(32)}-${parentSpanId}-01` },
    });
    const fresh = await storyWhen(String(bad.headers['request-id']), (s) => s.traceIds.length > 0);
    assert.notEqual(fresh.traceIds[0], '0'.repeat(32));
  });

  it('`kassa trace` prints the story, and --json gives it whole', async () => {
    assert.notEqual(topupId, '', 'the top-up test ran first');
    const env = {
      ...process.env,
      DATABASE_URL: t.databaseUrl,
      KASSA_TOKEN_SECRET: t.tokenSecret,
      KASSA_OPERATOR_KEY: t.operatorKey,
      KASSA_DATA_DIR: `/tmp/kassa-cli-${randomUUID()}`,
    };
    const cli = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'apps/server/src/main/kassa.ts', 'trace', ...args],
        { cwd: join(import.meta.dirname, '..', '..', '..'), env },
      );
    const text = await cli(topupId);
    assert.match(text.stdout, new RegExp(`^kassa trace ${topupId}`));
    assert.match(text.stdout, /risk: /);
    assert.match(text.stdout, /processor\.charge/);
    assert.match(text.stdout, /processor-sim POST \/v1\/charges/);
    assert.match(text.stdout, /journal topup\.succeeded/);
    const json = JSON.parse((await cli(topupId, '--json')).stdout) as TraceStory;
    assert.equal(json.subject, topupId);
    assert.ok(json.entries.some((e) => e.kind === 'log'));
    const refused = await cli('usr_nothing').catch((error: { code: number }) => error);
    assert.equal((refused as { code: number }).code, 2);
  });

  it('tells the story of a request in under a second', async () => {
    const user = await t.signUp();
    const res = await t.request('GET', '/v1/me', { token: user.token });
    const requestId = String(res.headers['request-id']);
    await storyWhen(requestId, (s) => spansOf(s).length > 0);
    const started = performance.now();
    const story = await traceStory(t.system.db.pool, requestId);
    assert.ok(performance.now() - started < 1_000, 'under a second');
    assert.ok(spansOf(story).length > 0);
    await assert.rejects(traceStory(t.system.db.pool, 'usr_nothing'), RangeError);
  });

  it('reads its settings: an OTLP collector, the retention, the switch', () => {
    const defaults = loadConfig({});
    assert.deepEqual(
      { ...defaults.tracing },
      { enabled: true, otlpEndpoint: undefined, retentionDays: 7 },
    );
    const set = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      TRACE_RETENTION_DAYS: '30',
      OTEL_SDK_DISABLED: 'true',
    });
    assert.deepEqual(
      { ...set.tracing },
      { enabled: false, otlpEndpoint: 'http://collector:4318', retentionDays: 30 },
    );
    assert.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }), ConfigError);
    assert.throws(() => loadConfig({ TRACE_RETENTION_DAYS: '0' }), ConfigError);
  });

  it('drops the day partitions older than the retention', async () => {
    await t.system.db.query(
      `create table if not exists trace_logs_p20000101 partition of trace_logs
         for values from ('2000-01-01T00:00:00Z') to ('2000-01-02T00:00:00Z')`,
    );
    const dropped = await dropExpiredTracePartitions(t.system.db.pool, new Date(), 7);
    assert.ok(dropped >= 1);
    const left = await t.system.db.query<{ name: string }>(
      `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        join pg_class p on p.oid = i.inhparent where p.relname = 'trace_logs'`,
    );
    assert.ok(!left.some((p) => p.name === 'trace_logs_p20000101'));
    assert.ok(left.length > 0, "today's partition stays");
  });
});
