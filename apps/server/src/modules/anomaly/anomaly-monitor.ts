import type { Db, DbClient } from '../../platform/db.ts';
import { tryAdvisoryXactLock } from '../../platform/db.ts';
import type { Logger } from '../../platform/log.ts';
import { alertOperator } from '../notifications/index.ts';
import { detectMinute, type AnomalyChange, type SliceState } from './domain/anomaly-detector.ts';
import { describeAnomaly } from './domain/anomaly-message.ts';
import { emptyMinute, processorSlice } from './domain/anomaly-signals.ts';
import { defaultDetectorSettings, type DetectorSettings } from './domain/detector-settings.ts';
import { minutesPerWeek, seasonalBaseline } from './domain/seasonal-baseline.ts';
import {
  closeAnomaly,
  judgedUntil,
  openAnomaly,
  saveSliceStates,
  setJudgedUntil,
  sliceStates,
} from './anomaly-store.ts';
import { createMinuteHistory, type JudgedWindow } from './minute-history.ts';
import { queueOpsWebhook, webhookBody, type OpsWebhook } from './ops-webhook.ts';

export interface AnomalyMonitorSettings {
  readonly detector: DetectorSettings;
  /** A minute is judged this long after it ends, once late outcomes (a timeout) have settled. */
  readonly settleSeconds: number;
  /** The first run judges this many minutes back, to warm the EWMAs up. */
  readonly warmupMinutes: number;
  /** After a pause, at most this many minutes are caught up; older ones are skipped. */
  readonly catchUpMinutesMax: number;
  /** Slices judged at most: the busiest, the processor's always. */
  readonly slicesMax: number;
}

export const defaultMonitorSettings: AnomalyMonitorSettings = Object.freeze({
  detector: defaultDetectorSettings,
  settleSeconds: 30,
  warmupMinutes: 60,
  catchUpMinutesMax: 60,
  slicesMax: 300,
});

export interface AnomalyMonitor {
  /** Judges the minutes that ended (and settled) since the last run; returns the changes. */
  run(now: Date): Promise<number>;
}

/** The slices to judge: all, or the busiest `slicesMax` of this window (the processor first). */
function chooseSlices(
  window: JudgedWindow,
  states: ReadonlyMap<string, SliceState>,
  slicesMax: number,
): string[] {
  const all = [...new Set([...window.slices, ...states.keys()])];
  if (all.length <= slicesMax) return all;
  const attempts = (slice: string) => {
    let sum = slice === processorSlice ? Number.POSITIVE_INFINITY : 0;
    for (const counts of window.recent.get(slice)?.values() ?? []) sum += counts.attempts;
    return sum;
  };
  return all.sort((a, b) => attempts(b) - attempts(a)).slice(0, slicesMax);
}

/**
 * The worker's anomaly detector on business slices (issue 17 §3, docs/observability.md). Each
 * run, one worker at a time (an advisory lock) judges the minutes that ended since the last:
 * one statement reads them with the hours of past weeks their baselines need (minute-history.ts),
 * the pure detector folds them into each slice's state (kept in `anomaly_slices`, so any worker
 * carries on), and every anomaly raised or cleared is recorded (`anomalies`, which
 * `kassa_anomaly_active` reads), put in the operator's feed and queued for the ops webhook, in
 * the same transaction. The webhook is sent after it commits.
 */
export function createAnomalyMonitor(deps: {
  db: Db;
  logger: Logger;
  opsWebhook: OpsWebhook | null;
  settings?: AnomalyMonitorSettings;
}): AnomalyMonitor {
  const settings = deps.settings ?? defaultMonitorSettings;
  const history = createMinuteHistory();
  let judgedHere = Number.NEGATIVE_INFINITY;

  async function record(client: DbClient, change: AnomalyChange): Promise<void> {
    const id =
      change.type === 'raised'
        ? await openAnomaly(client, change)
        : await closeAnomaly(client, change);
    if (id === null) return;
    const text = describeAnomaly(change);
    await alertOperator(client, {
      incident: id,
      type: change.type === 'raised' ? 'business_anomaly' : 'business_anomaly_cleared',
      title: text.title,
      body: text.body,
    });
    if (deps.opsWebhook !== null)
      await queueOpsWebhook(client, id, change, webhookBody(id, change, text));
  }

  async function judge(client: DbClient, until: number): Promise<AnomalyChange[]> {
    const watermark = await judgedUntil(client);
    const from =
      watermark === null
        ? until - settings.warmupMinutes
        : Math.max(watermark, until - settings.catchUpMinutesMax);
    if (from >= until) return [];
    const window = await history.read(client, { from, until }, settings.detector);
    const states = await sliceStates(client);
    const judged = new Map<string, SliceState>();
    let changes: AnomalyChange[] = [];
    for (const slice of chooseSlices(window, states, settings.slicesMax)) {
      const minutes = window.history(slice);
      let state = states.get(slice) ?? {};
      for (let minute = from; minute < until; minute += 1) {
        const baseline = seasonalBaseline(minutes, minute, settings.detector);
        const observed = minutes.at(minute) ?? emptyMinute;
        const step = detectMinute(slice, state, minute, observed, baseline, settings.detector);
        state = step.state;
        changes.push(...step.changes);
      }
      judged.set(slice, state);
    }
    // The warm-up replays history: only what is still raised at its end is news.
    if (watermark === null)
      changes = changes.filter(
        (c) => c.type === 'raised' && judged.get(c.slice)?.[c.signal]?.activeSince === c.since,
      );
    await saveSliceStates(client, judged, until - 1, until - 5 * minutesPerWeek);
    for (const change of changes) await record(client, change);
    await setJudgedUntil(client, until);
    return changes;
  }

  return {
    async run(now) {
      const until = Math.floor((now.getTime() - settings.settleSeconds * 1000) / 60_000);
      let changes: AnomalyChange[] = [];
      if (until > judgedHere) {
        changes = await deps.db.transaction(async (client) =>
          (await tryAdvisoryXactLock(client, 'kassa:anomaly-detector')) ? judge(client, until) : [],
        );
        judgedHere = until;
      }
      for (const change of changes)
        deps.logger[change.type === 'raised' ? 'warn' : 'info'](
          { slice: change.slice, signal: change.signal, reading: change.reading },
          `business anomaly ${change.type}`,
        );
      await deps.opsWebhook?.deliverDue(now);
      return changes.length;
    },
  };
}
