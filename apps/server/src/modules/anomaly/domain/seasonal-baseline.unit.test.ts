import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyMinute, type SliceMinute } from './anomaly-signals.ts';
import { defaultDetectorSettings } from './detector-settings.ts';
import { minutesPerWeek, seasonalBaseline } from './seasonal-baseline.ts';
import { lookupHistory } from './slice-history.ts';
import { median, medianAbsoluteDeviation } from './robust-statistics.ts';

const now = 30_000_000;
const minute = (attempts: number, declined = 0, blocked = 0): SliceMinute => ({
  attempts,
  succeeded: attempts - declined - blocked,
  declined,
  unknown: 0,
  blocked,
  pending: 0,
});

/** Known minutes only in the given past weeks around `now`, each from `counts(week, offset)`. */
function weeks(known: readonly number[], counts: (week: number, offset: number) => SliceMinute) {
  return lookupHistory((at) => {
    const week = Math.round((now - at) / minutesPerWeek);
    const offset = at - (now - week * minutesPerWeek);
    return known.includes(week) && Math.abs(offset) <= 60 ? counts(week, offset) : undefined;
  });
}

describe('robust statistics', () => {
  it('median and MAD', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
    assert.equal(medianAbsoluteDeviation([1, 2, 3, 4, 100]), 1);
  });
});

describe('the seasonal baseline', () => {
  const settings = defaultDetectorSettings;

  it('is null while no past week is known: the slice is learning', () => {
    assert.equal(
      seasonalBaseline(
        weeks([], () => minute(10)),
        now,
        settings,
      ),
      null,
    );
  });

  it('takes the median attempts of the same time in past weeks', () => {
    const baseline = seasonalBaseline(
      weeks([1, 2], () => minute(40, 2)),
      now,
      settings,
    );
    assert.equal(baseline?.attempts, 40);
    assert.equal(baseline?.weeks, 2);
    assert.ok(Math.abs((baseline?.attemptsSigma ?? 0) - Math.sqrt(40)) < 1e-9, 'Poisson floor');
    assert.equal(baseline?.shares.decline_rate, 0.05);
  });

  it('is not moved by one bad week among four', () => {
    const baseline = seasonalBaseline(
      weeks([1, 2, 3, 4], (week) => minute(week === 2 ? 5 : 40)),
      now,
      settings,
    );
    assert.equal(baseline?.attempts, 40);
  });

  it('pools rare events over the weeks instead of saying "never"', () => {
    // One block in 1,210 attempts per week, at a different minute each week.
    const baseline = seasonalBaseline(
      weeks([1, 2, 3, 4], (week, offset) => minute(10, 0, offset === week * 7 ? 1 : 0)),
      now,
      settings,
    );
    const share = baseline?.shares.fraud_block_rate ?? 0;
    assert.ok(Math.abs(share - 4 / 4840) < 1e-9, `${share}`);
    assert.ok(Math.abs((baseline?.uncertainty.fraud_block_rate ?? 0) - 1 / Math.sqrt(5)) < 1e-9);
  });

  it('keeps a share never seen half an event above zero', () => {
    const baseline = seasonalBaseline(
      weeks([1], () => minute(10)),
      now,
      settings,
    );
    assert.ok((baseline?.shares.outcome_unknown_rate ?? 0) > 0);
  });

  it('does not count a week without a single payment: before the slice existed, or an outage', () => {
    assert.equal(
      seasonalBaseline(
        weeks([1], () => emptyMinute),
        now,
        settings,
      ),
      null,
    );
    const launched = seasonalBaseline(
      weeks([1, 2, 3, 4], (week) => (week >= 3 ? emptyMinute : minute(30))),
      now,
      settings,
    );
    assert.equal(launched?.weeks, 2);
    assert.equal(launched?.attempts, 30);
  });
});
