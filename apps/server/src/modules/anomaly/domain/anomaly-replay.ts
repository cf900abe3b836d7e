import { detectMinute, type AnomalyChange, type SliceState } from './anomaly-detector.ts';
import { isProcessorKind, processorSlice } from './anomaly-signals.ts';
import { defaultDetectorSettings, type DetectorSettings } from './detector-settings.ts';
import {
  summarizeReplay,
  type IncidentOutcome,
  type ReplayAlert,
  type ReplaySummary,
} from './replay-summary.ts';
import { seasonalBaseline } from './seasonal-baseline.ts';
import { arrayHistory, type SliceHistory } from './slice-history.ts';
import { incidentSignal, type Incident, type IncidentKind } from './synthetic-incidents.ts';
import { syntheticTraffic, type SyntheticTraffic } from './synthetic-traffic.ts';

export interface ReplayOptions {
  readonly seed: number;
  /** Replayed days (incidents happen here); default 14. */
  readonly days?: number;
  /** Clean history before them, for the baselines; default 28 (the detector's 4 weeks). */
  readonly historyDays?: number;
  /** Incidents of each kind per week, placed at random; or `incidents`, exactly. */
  readonly incidentsPerWeek?: Readonly<Record<IncidentKind, number>>;
  readonly incidents?: readonly Incident[];
  readonly settings?: DetectorSettings;
  /** How long after a minute ends the worker judges it (late outcomes settle); default 0.5. */
  readonly settleMinutes?: number;
}

/**
 * 8 volume drops, 8 decline spikes, 3 unknown-outcome bursts and 3 block waves a week, at any
 * time of day in any slice: enough that the busy ones alone make a sample.
 */
export const defaultIncidentsPerWeek: Readonly<Record<IncidentKind, number>> = {
  volume_drop: 8,
  decline_spike: 8,
  outcome_unknown_burst: 3,
  fraud_block_spike: 3,
};

export interface ReplayReport extends ReplaySummary {
  readonly seed: number;
  readonly days: number;
  readonly historyDays: number;
  readonly slices: number;
  readonly replayFromMinute: number;
  readonly outcomes: readonly IncidentOutcome[];
  readonly alertList: readonly ReplayAlert[];
}

/** An alert raised this long after its incident ended still belongs to it (the EWMA lags). */
const graceMinutes = 30;

function historyOf(traffic: SyntheticTraffic, slice: string): SliceHistory {
  return arrayHistory(traffic.series.get(slice) ?? [], traffic.startMinute);
}

/** Runs the detector over one slice's replayed minutes (and an hour before, to warm it up). */
function replaySlice(traffic: SyntheticTraffic, slice: string, settings: DetectorSettings) {
  const history = historyOf(traffic, slice);
  let state: SliceState = {};
  const changes: AnomalyChange[] = [];
  for (let minute = traffic.replayFrom - 60; minute < traffic.endMinute; minute += 1) {
    const observed = history.at(minute);
    if (observed === undefined) continue;
    const baseline = seasonalBaseline(history, minute, settings);
    const step = detectMinute(slice, state, minute, observed, baseline, settings);
    state = step.state;
    if (minute >= traffic.replayFrom) changes.push(...step.changes);
  }
  return changes;
}

/** The incident an alert belongs to: same slice (or the processor's), raised while it lasted. */
function incidentOf(alert: AnomalyChange, incidents: readonly Incident[]): Incident | null {
  const kindOf = (slice: string) => slice.split('/')[0] ?? '';
  return (
    incidents.find(
      (incident) =>
        (incident.slice === alert.slice ||
          (alert.slice === processorSlice && isProcessorKind(kindOf(incident.slice)))) &&
        alert.minute >= incident.startMinute &&
        alert.minute < incident.endMinute + graceMinutes,
    ) ?? null
  );
}

/**
 * The detector on seeded synthetic traffic with injected incidents (docs/observability.md):
 * recall (incidents whose own signal alerted in their slice; within 10 minutes), precision
 * (alerts that belong to an incident) and false alerts per simulated week. Deterministic: the
 * same options give the same report.
 */
export function replayAnomalies(options: ReplayOptions): ReplayReport {
  const settings = options.settings ?? defaultDetectorSettings;
  const days = options.days ?? 14;
  const historyDays = options.historyDays ?? 28;
  const settle = options.settleMinutes ?? 0.5;
  const traffic = syntheticTraffic({
    seed: options.seed,
    days,
    historyDays,
    incidentsPerWeek: options.incidentsPerWeek ?? defaultIncidentsPerWeek,
    ...(options.incidents === undefined ? {} : { incidents: options.incidents }),
  });
  const alertList: ReplayAlert[] = [...traffic.series.keys()]
    .flatMap((slice) => replaySlice(traffic, slice, settings))
    .filter((change) => change.type === 'raised')
    .map((change) => ({
      slice: change.slice,
      signal: change.signal,
      raisedMinute: change.minute,
      since: change.since,
      incident: incidentOf(change, traffic.incidents),
    }));
  const outcomes = traffic.incidents.map((incident): IncidentOutcome => {
    const alert = alertList.find(
      (a) =>
        a.incident === incident &&
        a.slice === incident.slice &&
        a.signal === incidentSignal[incident.kind],
    );
    const history = historyOf(traffic, incident.slice);
    const baseline = seasonalBaseline(history, incident.startMinute, settings);
    return {
      incident,
      expectedPerMinute: baseline?.attempts ?? 0,
      detectionMinutes:
        alert === undefined ? null : alert.raisedMinute + 1 - incident.startMinute + settle,
    };
  });
  return {
    seed: options.seed,
    days,
    historyDays,
    slices: traffic.series.size,
    replayFromMinute: traffic.replayFrom,
    ...summarizeReplay(outcomes, alertList, days),
    outcomes,
    alertList,
  };
}
