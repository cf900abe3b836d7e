/**
 * The detector as a decider (given a state and a minute, then a state and changes), on counts
 * without noise so that each case shows one rule: the guards, the hysteresis, learning.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectMinute, type AnomalyChange, type SliceState } from './anomaly-detector.ts';
import type { SliceMinute } from './anomaly-signals.ts';
import { defaultDetectorSettings as settings } from './detector-settings.ts';
import type { SliceBaseline } from './seasonal-baseline.ts';

const slice = 'payment/mer_test/USD';

function baseline(attempts: number, declineShare: number): SliceBaseline {
  return {
    attempts,
    attemptsSigma: Math.sqrt(attempts),
    // The success rate's share is of the attempts that did not succeed (signalEvents).
    shares: {
      success_rate: declineShare,
      decline_rate: declineShare,
      outcome_unknown_rate: 0.001,
      fraud_block_rate: 0.001,
    },
    uncertainty: {
      volume: 0.01,
      success_rate: 0.01,
      decline_rate: 0.05,
      outcome_unknown_rate: 0.3,
      fraud_block_rate: 0.3,
    },
    weeklyLevelSpread: 0,
    weeks: 4,
  };
}

const counts = (attempts: number, declined: number, pending = 0): SliceMinute => ({
  attempts,
  succeeded: attempts - declined - pending,
  declined,
  unknown: 0,
  blocked: 0,
  pending,
});

/** Runs minutes 0, 1, 2, … through the detector; returns the changes and the last state. */
function run(
  minutes: readonly SliceMinute[],
  expected: SliceBaseline | null,
  state: SliceState = {},
) {
  const changes: AnomalyChange[] = [];
  minutes.forEach((observed, minute) => {
    const step = detectMinute(slice, state, minute, observed, expected, settings);
    state = step.state;
    changes.push(...step.changes);
  });
  return { changes, state };
}

const repeat = <T>(value: T, times: number): T[] => Array.from({ length: times }, () => value);

describe('the anomaly detector', () => {
  it('stays quiet while a slice does what its baseline says', () => {
    const { changes } = run(repeat(counts(60, 3), 240), baseline(60, 0.05));
    assert.deepEqual(changes, []);
  });

  it('raises a 50% volume drop within minutes, from its first anomalous minute', () => {
    const minutes = [...repeat(counts(60, 3), 60), ...repeat(counts(30, 1), 30)];
    const { changes, state } = run(minutes, baseline(60, 0.05));
    const raised = changes.filter((c) => c.type === 'raised' && c.signal === 'volume');
    assert.equal(raised.length, 1);
    const [drop] = raised;
    assert.ok(drop !== undefined && drop.minute - 60 <= 6, `raised ${drop?.minute}`);
    assert.ok(drop.since > 60 && drop.since <= drop.minute);
    assert.ok(drop.reading.z < -4 && drop.reading.observedPerMinute < 45);
    assert.equal(state.volume?.activeSince, drop.since);
  });

  it('clears after the calm minutes of the hysteresis, once', () => {
    const minutes = [
      ...repeat(counts(60, 3), 60),
      ...repeat(counts(30, 1), 30),
      ...repeat(counts(60, 3), 60),
    ];
    const volume = run(minutes, baseline(60, 0.05)).changes.filter((c) => c.signal === 'volume');
    assert.deepEqual(
      volume.map((c) => c.type),
      ['raised', 'cleared'],
    );
    const [raised, cleared] = volume;
    assert.equal(cleared?.since, raised?.since);
    assert.ok((cleared?.minute ?? 0) >= 90 + settings.clearAfterMinutes);
  });

  it('raises five times the declines as a decline spike and a success-rate drop', () => {
    const minutes = [...repeat(counts(60, 3), 60), ...repeat(counts(60, 15), 20)];
    const { changes } = run(minutes, baseline(60, 0.05));
    const signals = changes.filter((c) => c.type === 'raised').map((c) => c.signal);
    assert.deepEqual(signals.sort(), ['decline_rate', 'success_rate']);
    const decline = changes.find((c) => c.signal === 'decline_rate');
    assert.ok(decline !== undefined && decline.minute - 60 <= 5, `raised ${decline?.minute}`);
    assert.ok((decline.reading.observedShare ?? 0) > 0.15);
    assert.ok(Math.abs((decline.reading.expectedShare ?? 0) - 0.05) < 1e-9);
    const success = changes.find((c) => c.signal === 'success_rate');
    assert.ok((success?.reading.z ?? 0) < 0, 'the success rate fell');
  });

  it('does not count payments still waiting (a second factor, a review) as failures', () => {
    // A week ago these minutes had long finished; judged 30 s after they end, a tenth still wait.
    const minutes = [...repeat(counts(60, 3), 60), ...repeat(counts(60, 3, 6), 30)];
    assert.deepEqual(run(minutes, baseline(60, 0.05)).changes, []);
  });

  it('never alerts a slice too small to judge, whatever it does', () => {
    const minutes = [...repeat(counts(2, 0), 60), ...repeat(counts(0, 0), 30)];
    assert.deepEqual(run(minutes, baseline(2, 0.05)).changes, []);
    const declines = [...repeat(counts(2, 0), 60), ...repeat(counts(1, 1), 30)];
    assert.deepEqual(run(declines, baseline(1, 0.05)).changes, []);
  });

  it('does not judge a slice still learning, and keeps its state as it was', () => {
    const before = run(repeat(counts(60, 3), 10), baseline(60, 0.05)).state;
    const { changes, state } = run(repeat(counts(0, 0), 30), null, before);
    assert.deepEqual(changes, []);
    assert.equal(state, before);
  });
});
