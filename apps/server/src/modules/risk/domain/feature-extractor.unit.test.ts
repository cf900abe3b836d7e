import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FeatureExtractor } from './feature-extractor.ts';
import { namedFeatures } from './features.ts';
import type { AccountEventType, MovementKind, RequestOrigin, RiskEvent } from './risk-event.ts';

const amsterdam = { latitude: 52.37, longitude: 4.9, country: 'NL', hosting: false };
const newYork = { latitude: 40.71, longitude: -74.01, country: 'US', hosting: false };
const t0 = Date.UTC(2026, 0, 5, 12);
const minute = 60_000;

function origin(deviceId = 'dev_1', where = amsterdam, ip = '10.0.0.1'): RequestOrigin {
  return {
    deviceId,
    device: { platform: 'ios', emulator: false, rooted: false, localeCountry: 'NL' },
    ip,
    ipLocation: where,
  };
}

let next = 0;
function account(type: AccountEventType, userId: string, atMs: number, from = origin()): RiskEvent {
  next += 1;
  return { type, id: `evt_${next}`, atMs, userId, origin: from };
}

function movement(
  kind: MovementKind,
  userId: string,
  counterpartyId: string,
  atMs: number,
  amountMinor: number,
  from = origin(),
): RiskEvent {
  next += 1;
  return {
    type: 'money_movement',
    id: `evt_${next}`,
    atMs,
    kind,
    userId,
    counterpartyId,
    amountMinor: BigInt(amountMinor),
    currency: 'EUR',
    cardFingerprint: null,
    merchantCategory: kind === 'merchant_payment' ? 'fashion' : null,
    origin: from,
    truth: { fraud: false, typology: null, lookAlike: null, caseId: null },
  };
}

/** Feeds a stream and returns the named features of its last event (a money movement). */
function lastFeatures(events: RiskEvent[]) {
  const extractor = new FeatureExtractor();
  let last: Float64Array | null = null;
  for (const event of events) last = extractor.observe(event);
  assert.ok(last !== null, 'the last event is a money movement');
  return namedFeatures(last);
}

describe('feature extractor', () => {
  it('counts velocity over 1 minute, 1 hour and 24 hours, before the movement', () => {
    const f = lastFeatures([
      account('account_opened', 'usr_a', t0 - 30 * 86_400_000),
      movement('p2p', 'usr_a', 'usr_b', t0 - 2 * 3_600_000, 1_000),
      movement('p2p', 'usr_a', 'usr_b', t0 - 30 * minute, 2_000),
      movement('p2p', 'usr_a', 'usr_b', t0 - 30_000, 4_000),
      movement('p2p', 'usr_a', 'usr_b', t0, 8_000),
    ]);
    assert.deepEqual(
      [
        f.user_count_1m,
        f.user_sum_1m,
        f.user_count_1h,
        f.user_sum_1h,
        f.user_count_24h,
        f.user_sum_24h,
      ],
      [1, 4_000, 2, 6_000, 3, 7_000],
    );
    assert.equal(f.payee_is_new, 0);
    assert.equal(f.amount_to_median_ratio, 8_000 / 2_000);
    assert.equal(f.account_age_days, 30);
    assert.equal(f.device_count_1h, 2);
  });

  it('marks a first payment to a payee as new and counts the payee fan-in', () => {
    const events: RiskEvent[] = [account('account_opened', 'usr_mule', t0 - 2 * 86_400_000)];
    for (const sender of ['usr_1', 'usr_2', 'usr_3'])
      events.push(account('account_opened', sender, t0 - 86_400_000, origin(`dev_${sender}`)));
    events.push(movement('p2p', 'usr_1', 'usr_mule', t0, 5_000, origin('dev_usr_1')));
    events.push(movement('p2p', 'usr_2', 'usr_mule', t0 + minute, 5_000, origin('dev_usr_2')));
    events.push(movement('p2p', 'usr_3', 'usr_mule', t0 + 2 * minute, 5_000, origin('dev_usr_3')));
    const f = lastFeatures(events);
    assert.equal(f.payee_is_new, 1);
    assert.equal(f.payee_fan_in_24h, 2);
    assert.equal(f.payee_account_age_days, 2 + 2 / 1440);
    const outflow = lastFeatures([
      ...events,
      movement('payout', 'usr_mule', 'iban_x', t0 + 10 * minute, 14_000),
    ]);
    assert.equal(outflow.user_fan_in_24h, 3);
    assert.equal(outflow.minutes_since_last_inflow, 8);
    assert.equal(outflow.out_in_ratio_7d, 14_000 / (15_000 + 100));
  });

  it('measures the distance and speed from the previous location (impossible travel)', () => {
    const f = lastFeatures([
      account('account_opened', 'usr_a', t0 - 86_400_000),
      movement('merchant_payment', 'usr_a', 'mer_1', t0, 1_000),
      movement(
        'merchant_payment',
        'usr_a',
        'mer_2',
        t0 + 30 * minute,
        1_000,
        origin('dev_1', newYork, '10.9.9.9'),
      ),
    ]);
    assert.ok(
      Math.abs(f.distance_from_previous_km - 5_860) < 60,
      `${f.distance_from_previous_km} km`,
    );
    assert.ok(Math.abs(f.speed_from_previous_kmh - 2 * f.distance_from_previous_km) < 1e-6);
    assert.equal(f.distance_from_home_km, f.distance_from_previous_km);
    assert.equal(f.location_seen_before, 0);
    assert.equal(f.countries_30d, 2);
    assert.equal(f.locale_mismatch, 1);
  });

  it('sees a new device followed by a password change (takeover)', () => {
    const attacker = origin('dev_evil', amsterdam, '10.6.6.6');
    const f = lastFeatures([
      account('account_opened', 'usr_a', t0 - 100 * 86_400_000),
      account('device_enrolled', 'usr_a', t0, attacker),
      account('password_changed', 'usr_a', t0 + 5 * minute, attacker),
      movement('p2p', 'usr_a', 'usr_mule', t0 + 12 * minute, 50_000, attacker),
    ]);
    assert.equal(f.password_changed_after_new_device, 1);
    assert.equal(f.hours_since_device_enrolled, 0.2);
    assert.equal(f.device_key_age_hours, 0.2);
    assert.equal(f.hours_since_password_change, 7 / 60);
    assert.equal(f.amount_to_median_ratio, -1, 'no history to compare with');
  });

  it('compares a refund with what was paid to that merchant, and counts accounts per device', () => {
    const f = lastFeatures([
      account('account_opened', 'usr_a', t0 - 86_400_000),
      account('account_opened', 'usr_b', t0 - 86_400_000),
      movement('merchant_payment', 'usr_a', 'mer_1', t0, 1_000),
      movement('refund', 'usr_a', 'mer_1', t0 + 86_400_000, 600),
      movement('refund', 'usr_a', 'mer_1', t0 + 2 * 86_400_000, 900),
    ]);
    assert.equal(f.refund_to_paid_ratio, 1.5);
    assert.equal(f.user_refunds_30d, 1);
    assert.equal(f.accounts_per_device, 2, 'usr_a and usr_b opened on dev_1');
    assert.equal(f.payee_is_new, -1, 'a refund has no payee');
  });

  it('refuses a stream out of time order', () => {
    const extractor = new FeatureExtractor();
    extractor.observe(account('account_opened', 'usr_a', t0));
    assert.throws(
      () => extractor.observe(movement('p2p', 'usr_a', 'usr_b', t0 - 1, 100)),
      RangeError,
    );
  });
});
