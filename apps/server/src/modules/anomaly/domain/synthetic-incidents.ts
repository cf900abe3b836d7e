import type { SeededRandom } from '../../../kernel/seeded-random.ts';
import { isProcessorKind, type AnomalySignal } from './anomaly-signals.ts';
import type { MinuteConditions, SyntheticSlice } from './synthetic-slices.ts';

export const incidentKinds = [
  'volume_drop',
  'decline_spike',
  'outcome_unknown_burst',
  'fraud_block_spike',
] as const;
export type IncidentKind = (typeof incidentKinds)[number];

/** The signal each kind of incident must raise to count as detected. */
export const incidentSignal: Readonly<Record<IncidentKind, AnomalySignal>> = {
  volume_drop: 'volume',
  decline_spike: 'decline_rate',
  outcome_unknown_burst: 'outcome_unknown_rate',
  fraud_block_spike: 'fraud_block_rate',
};

/** What an incident does to its slice while it lasts. */
export const incidentEffects = {
  /** Half the payments stop arriving (an integration broken on some devices, a bad deploy). */
  volumeFactor: 0.5,
  /** Five times the usual declines (an issuer refusing, a misconfigured merchant account). */
  declineFactor: 5,
  /** Ten times the usual share of unknown outcomes, at least 5% (the processor timing out). */
  unknownFactor: 10,
  unknownShareMin: 0.05,
  /** Five times the usual blocks, at least 3% (a fraud wave, or a rule blocking too much). */
  blockFactor: 5,
  blockShareMin: 0.03,
} as const;

export interface Incident {
  readonly kind: IncidentKind;
  readonly slice: string;
  readonly startMinute: number;
  /** One past its last minute. */
  readonly endMinute: number;
}

/** A minute's conditions while `incident` lasts. */
export function underIncident(incident: Incident, base: MinuteConditions): MinuteConditions {
  const effects = incidentEffects;
  switch (incident.kind) {
    case 'volume_drop':
      return { ...base, expectedAttempts: base.expectedAttempts * effects.volumeFactor };
    case 'decline_spike':
      return { ...base, declineShare: Math.min(0.9, base.declineShare * effects.declineFactor) };
    case 'outcome_unknown_burst':
      return {
        ...base,
        unknownShare: Math.max(effects.unknownShareMin, base.unknownShare * effects.unknownFactor),
      };
    case 'fraud_block_spike':
      return {
        ...base,
        blockShare: Math.max(effects.blockShareMin, base.blockShare * effects.blockFactor),
      };
  }
}

/** Which slices can have which incident: unknown outcomes need the processor, blocks the engine. */
function eligible(kind: IncidentKind, spec: SyntheticSlice): boolean {
  switch (kind) {
    case 'volume_drop':
    case 'decline_spike':
      return true;
    case 'outcome_unknown_burst':
      return isProcessorKind(spec.kind);
    case 'fraud_block_spike':
      return spec.blockShare > 0;
  }
}

/** Minutes kept between two incidents that could be seen in the same slice. */
const separationMinutes = 180;

/**
 * Places incidents at random in the replayed window: 30 to 90 minutes each, at any time of day
 * (nights included, where a slice may be too quiet to judge), never two within 3 hours in one
 * slice, nor two processor incidents (the `processor` slice sees both).
 */
export function injectIncidents(
  random: SeededRandom,
  options: {
    slices: readonly SyntheticSlice[];
    replayFrom: number;
    endMinute: number;
    perWeek: Readonly<Record<IncidentKind, number>>;
  },
): Incident[] {
  const placed: Incident[] = [];
  const kindOf = new Map(options.slices.map((s) => [s.name, s.kind]));
  const clash = (a: Incident, b: Incident) =>
    (a.slice === b.slice ||
      (isProcessorKind(kindOf.get(a.slice) ?? '') && isProcessorKind(kindOf.get(b.slice) ?? ''))) &&
    a.startMinute < b.endMinute + separationMinutes &&
    b.startMinute < a.endMinute + separationMinutes;
  const days = (options.endMinute - options.replayFrom) / 1440;
  for (const kind of incidentKinds) {
    const candidates = options.slices.filter((spec) => eligible(kind, spec));
    const count = Math.round((options.perWeek[kind] * days) / 7);
    for (let made = 0, tries = 0; made < count && tries < 1000 && candidates.length > 0; tries++) {
      const minutes = random.intBetween(30, 90);
      const latest = options.endMinute - minutes - 60;
      if (latest <= options.replayFrom + 60) break;
      const startMinute = random.intBetween(options.replayFrom + 60, latest);
      const incident = {
        kind,
        slice: random.pick(candidates).name,
        startMinute,
        endMinute: startMinute + minutes,
      };
      if (placed.some((other) => clash(other, incident))) continue;
      placed.push(incident);
      made += 1;
    }
  }
  return placed.sort((a, b) => a.startMinute - b.startMinute);
}
