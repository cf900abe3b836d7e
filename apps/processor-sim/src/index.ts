export { createProcessorSim, type ProcessorSim, type SimStats } from './processor-sim.ts';
export type { Faults } from './faults.ts';
export type { SettlementEntry } from './sim-store.ts';
