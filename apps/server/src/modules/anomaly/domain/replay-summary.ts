import type { AnomalySignal } from './anomaly-signals.ts';
import { median } from './robust-statistics.ts';
import { incidentKinds, type Incident, type IncidentKind } from './synthetic-incidents.ts';

/** An anomaly the detector raised, judged against the injected incidents. */
export interface ReplayAlert {
  readonly slice: string;
  readonly signal: AnomalySignal;
  readonly raisedMinute: number;
  readonly since: number;
  /** The incident it belongs to (its slice, or `processor` for a top-up or payout incident). */
  readonly incident: Incident | null;
}

export interface IncidentOutcome {
  readonly incident: Incident;
  /** Attempts a minute the baseline expected in its slice when it began. */
  readonly expectedPerMinute: number;
  /** From its first minute to the alert on its own signal, settling included; null: missed. */
  readonly detectionMinutes: number | null;
}

/** Recall over a set of incidents. */
export interface IncidentStats {
  readonly incidents: number;
  readonly detected: number;
  readonly detectedWithin10Minutes: number;
  readonly recall: number;
  readonly recallWithin10Minutes: number;
  readonly detectionMinutes: {
    readonly median: number;
    readonly max: number;
  } | null;
}

/** Incidents in slices at least this busy (expected attempts a minute) are "busy". */
export const busyFloorPerMinute = 20;

export interface ReplaySummary {
  /** Every injected incident, nights and the tiny kiosk included. */
  readonly all: IncidentStats;
  /** Those where the slice expected at least `busyFloorPerMinute` attempts a minute. */
  readonly busy: IncidentStats;
  readonly byKind: Readonly<Record<IncidentKind, { all: IncidentStats; busy: IncidentStats }>>;
  readonly alerts: number;
  /** Alerts that belong to no incident. */
  readonly falseAlerts: number;
  /** Alerts that belong to an incident, over all alerts. */
  readonly precision: number;
  readonly falseAlertsPerWeek: number;
}

const ratio = (part: number, whole: number) => (whole === 0 ? 1 : part / whole);

export function incidentStats(outcomes: readonly IncidentOutcome[]): IncidentStats {
  const delays = outcomes.flatMap((o) => (o.detectionMinutes === null ? [] : [o.detectionMinutes]));
  const within = delays.filter((minutes) => minutes <= 10).length;
  return {
    incidents: outcomes.length,
    detected: delays.length,
    detectedWithin10Minutes: within,
    recall: ratio(delays.length, outcomes.length),
    recallWithin10Minutes: ratio(within, outcomes.length),
    detectionMinutes:
      delays.length === 0 ? null : { median: median(delays), max: Math.max(...delays) },
  };
}

/** Recall, precision and false alerts of a replay of `days` days. */
export function summarizeReplay(
  outcomes: readonly IncidentOutcome[],
  alerts: readonly ReplayAlert[],
  days: number,
): ReplaySummary {
  const busy = (o: IncidentOutcome) => o.expectedPerMinute >= busyFloorPerMinute;
  const byKind = Object.fromEntries(
    incidentKinds.map((kind) => {
      const mine = outcomes.filter((o) => o.incident.kind === kind);
      return [kind, { all: incidentStats(mine), busy: incidentStats(mine.filter(busy)) }];
    }),
  ) as ReplaySummary['byKind'];
  const falseAlerts = alerts.filter((a) => a.incident === null).length;
  return {
    all: incidentStats(outcomes),
    busy: incidentStats(outcomes.filter(busy)),
    byKind,
    alerts: alerts.length,
    falseAlerts,
    precision: ratio(alerts.length - falseAlerts, alerts.length),
    falseAlertsPerWeek: (falseAlerts * 7) / days,
  };
}
