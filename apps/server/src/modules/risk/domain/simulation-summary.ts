import {
  fraudTypologies,
  lookAlikes,
  movementKinds,
  type FraudTypology,
  type LookAlike,
  type MovementKind,
} from './risk-event.ts';
import type { Simulation } from './simulator.ts';

export interface SimulationSummary {
  readonly events: number;
  readonly movements: number;
  readonly fraudMovements: number;
  readonly fraudShare: number;
  readonly byKind: Record<MovementKind, number>;
  readonly fraudByTypology: Record<FraudTypology, number>;
  readonly casesByTypology: Record<FraudTypology, number>;
  readonly lookAlikes: Record<LookAlike, number>;
}

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Counts of a simulation: movements by kind, fraud by typology, look-alike movements. */
export function summarizeSimulation(simulation: Simulation): SimulationSummary {
  const byKind = zeros(movementKinds);
  const fraudByTypology = zeros(fraudTypologies);
  const casesByTypology = zeros(fraudTypologies);
  const seenCases = new Set<string>();
  const lookAlikeCounts = zeros(lookAlikes);
  let movements = 0;
  let fraudMovements = 0;
  for (const event of simulation.events) {
    if (event.type !== 'money_movement') continue;
    movements += 1;
    byKind[event.kind] += 1;
    const { typology, lookAlike, caseId } = event.truth;
    if (typology !== null) {
      fraudMovements += 1;
      fraudByTypology[typology] += 1;
      if (caseId !== null && !seenCases.has(caseId)) {
        seenCases.add(caseId);
        casesByTypology[typology] += 1;
      }
    }
    if (lookAlike !== null) lookAlikeCounts[lookAlike] += 1;
  }
  return {
    events: simulation.events.length,
    movements,
    fraudMovements,
    fraudShare: movements === 0 ? 0 : fraudMovements / movements,
    byKind,
    fraudByTypology,
    casesByTypology,
    lookAlikes: lookAlikeCounts,
  };
}
