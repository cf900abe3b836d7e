import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestSystem } from '../../../apps/server/test/support/test-system.ts';
import type { KassaClient } from '../src/index.ts';
import { signedInClient, startListeningSystem } from './support.ts';

/**
 * 200 devices each queue 10 payments offline, then all come back at once over a network that
 * drops requests, loses replies and answers 503 from a "proxy": every payment must land exactly
 * once.
 */
const devices = Number(process.env['SDK_STORM_DEVICES'] ?? 200);
const perDevice = 10;

let t: TestSystem;
let baseUrl: string;
before(async () => {
  ({ t, baseUrl } = await startListeningSystem());
});
after(() => t.close());

it(
  `a retry storm of ${devices * perDevice} queued payments from ${devices} devices produces no duplicates`,
  { timeout: 600_000 },
  async () => {
    const faults = { dropped: 0, lostReplies: 0, proxy503: 0, sent: 0 };
    let connected = true; // online to sign up; offline while the payments are queued
    const flakyFetch: typeof fetch = async (input, init) => {
      const money = new Headers(init?.headers).has('idempotency-key');
      const roll = Math.random();
      if (money && roll < 0.15) {
        faults.dropped += 1;
        throw new TypeError('fetch failed: connection refused');
      }
      if (money && roll < 0.2) {
        faults.proxy503 += 1;
        return new Response('<html>upstream unavailable</html>', { status: 503 });
      }
      const response = await fetch(input, init);
      if (money) faults.sent += 1;
      if (money && roll < 0.35) {
        faults.lostReplies += 1;
        await response.text();
        throw new TypeError('fetch failed: socket hang up');
      }
      return response;
    };

    const phones: { client: KassaClient; email: string; walletId: string }[] = [];
    for (let i = 0; i < devices; i += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, devices - i) }, () =>
          signedInClient(t, baseUrl, {
            fetch: flakyFetch,
            online: () => connected,
            offlineLimitMinor: 1_000_000,
            retry: { attempts: 8, baseDelayMs: 10, maxDelayMs: 400 },
          }),
        ),
      );
      phones.push(...batch);
    }

    connected = false;
    let expectedTotal = 0;
    for (const [i, phone] of phones.entries()) {
      for (let n = 0; n < perDevice; n += 1) {
        const to = phones[(i + 1 + n) % phones.length]!;
        const amount = 100 + ((i * perDevice + n) % 900);
        expectedTotal += amount;
        const record = await phone.client.send({ to: to.email, amount, currency: 'USD' });
        assert.equal(record.state, 'queued_on_device');
      }
    }

    connected = true;
    const started = performance.now();
    let rounds = 0;
    for (; rounds < 20; rounds += 1) {
      await Promise.all(phones.map((p) => p.client.outbox.flush()));
      if (phones.every((p) => p.client.outbox.list().every((r) => r.state === 'succeeded'))) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const records = phones.flatMap((p) => p.client.outbox.list());
    const attempts = records.reduce((sum, r) => sum + r.attempts, 0);

    const server = await t.system.db.query<{ n: string; total: string; keys: string }>(
      `select count(*)::text as n, coalesce(sum(amount), 0)::text as total,
            (select count(*) from idempotency_keys where status = 'completed'
               and response_body::text like '%"object":"transfer"%')::text as keys
       from payments where kind = 'transfer'`,
    );
    const row = server[0];
    console.log(
      `sdk retry storm: ${devices} devices × ${perDevice} queued payments flushed at once in ${seconds.toFixed(1)} s ` +
        `(${rounds + 1} flush rounds); ${attempts} attempts for ${records.length} payments; injected: ` +
        `${faults.dropped} dropped requests, ${faults.lostReplies} lost replies, ${faults.proxy503} proxy 503s; ` +
        `transfers on the server ${row?.n}, duplicates ${Number(row?.n) - records.length}`,
    );
    assert.equal(records.length, devices * perDevice);
    assert.deepEqual(
      [...new Set(records.map((r) => r.state))],
      ['succeeded'],
      'every payment settled',
    );
    assert.equal(Number(row?.n), devices * perDevice, 'exactly one transfer per payment');
    assert.equal(Number(row?.total), expectedTotal);
    assert.equal(Number(row?.keys), devices * perDevice);
    assert.ok(faults.lostReplies > 0 && faults.dropped > 0 && faults.proxy503 > 0);
    const report = await t.system.ledger.verify();
    assert.equal(report.balanced, true);
  },
);
