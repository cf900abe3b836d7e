/**
 * The detector on a short seeded replay (issue 17 §3): two weeks of clean history, then three
 * days with incidents placed in busy hours of busy slices. Every incident must alert on its own
 * signal within 10 minutes of its start (the minute's settling included), with no false alert.
 * The 14-day replay behind docs/observability.md's figures is `kassa anomaly replay`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replayAnomalies } from './anomaly-replay.ts';
import type { Incident } from './synthetic-incidents.ts';
import { syntheticTraffic } from './synthetic-traffic.ts';

/** The replay starts on Monday 2026-01-19 (two weeks after the simulator's first Monday). */
const replayFrom = Date.UTC(2026, 0, 19) / 60_000;
const at = (day: number, hour: number, minute = 0) => replayFrom + day * 1440 + hour * 60 + minute;
const incident = (
  kind: Incident['kind'],
  slice: string,
  start: number,
  minutes: number,
): Incident => ({ kind, slice, startMinute: start, endMinute: start + minutes });

const incidents = [
  incident('volume_drop', 'payment/mer_grocer/USD', at(0, 11), 45),
  incident('decline_spike', 'transfer/-/USD', at(0, 16), 40),
  incident('volume_drop', 'payment/mer_cafe/EUR', at(1, 13), 45),
  incident('decline_spike', 'payment/mer_books/USD', at(1, 19), 40),
  incident('outcome_unknown_burst', 'topup/-/USD', at(2, 12), 40),
  incident('decline_spike', 'topup/-/EUR', at(2, 18), 40),
];

describe('a three-day replay with incidents', () => {
  const report = replayAnomalies({ seed: 1, days: 3, historyDays: 14, incidents });

  it('replays the days it was asked for', () => {
    assert.equal(report.replayFromMinute, replayFrom);
    assert.equal(report.outcomes.length, incidents.length);
  });

  it('detects a 50% volume drop and a 5x decline spike in one slice within 10 minutes', () => {
    for (const outcome of report.outcomes) {
      const { kind, slice } = outcome.incident;
      assert.ok(
        outcome.detectionMinutes !== null && outcome.detectionMinutes <= 10,
        `${kind} in ${slice} (${outcome.expectedPerMinute} a minute): ${outcome.detectionMinutes} min`,
      );
    }
    assert.equal(report.busy.recallWithin10Minutes, 1);
  });

  it('raises at most one false alert per simulated week', () => {
    const falseAlerts = report.alertList.filter((alert) => alert.incident === null);
    assert.ok(report.falseAlertsPerWeek <= 1, JSON.stringify(falseAlerts));
    assert.deepEqual(falseAlerts, []);
    assert.equal(report.precision, 1);
  });

  it('alerts the processor slice too when a top-up incident is big enough', () => {
    const processor = report.alertList.filter((alert) => alert.slice === 'processor');
    assert.ok(processor.length > 0, 'the processor slice saw the top-up incidents');
    assert.ok(processor.every((alert) => alert.incident?.slice.startsWith('topup/') === true));
  });
});

describe('the synthetic traffic', () => {
  it('is the same for the same seed, and another for another', () => {
    const options = { days: 1, historyDays: 7, incidentsPerWeek: incidentsPerWeek(7) };
    const first = syntheticTraffic({ seed: 7, ...options });
    const again = syntheticTraffic({ seed: 7, ...options });
    const other = syntheticTraffic({ seed: 8, ...options });
    assert.deepEqual(again.incidents, first.incidents);
    assert.deepEqual(again.series.get('transfer/-/USD'), first.series.get('transfer/-/USD'));
    assert.notDeepEqual(other.series.get('transfer/-/USD'), first.series.get('transfer/-/USD'));
  });

  it('places incidents only in the replayed window, apart in each slice', () => {
    const traffic = syntheticTraffic({
      seed: 3,
      days: 7,
      historyDays: 7,
      incidentsPerWeek: incidentsPerWeek(3),
    });
    assert.equal(traffic.incidents.length, 12);
    for (const one of traffic.incidents) {
      assert.ok(one.startMinute >= traffic.replayFrom && one.endMinute <= traffic.endMinute);
      const sameSlice = traffic.incidents.filter((o) => o !== one && o.slice === one.slice);
      assert.ok(
        sameSlice.every((o) => o.startMinute >= one.endMinute || o.endMinute <= one.startMinute),
      );
    }
  });
});

function incidentsPerWeek(each: number) {
  return {
    volume_drop: each,
    decline_spike: each,
    outcome_unknown_burst: each,
    fraud_block_spike: each,
  };
}
