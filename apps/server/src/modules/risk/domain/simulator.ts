import { assert } from '../../../kernel/assert.ts';
import { simulateEverydayActivity } from './everyday-activity.ts';
import { EventRecorder } from './event-recorder.ts';
import { FraudContext } from './fraud-context.ts';
import {
  accountTakeover,
  impossibleTravel,
  newDeviceHighValue,
  velocityBurst,
} from './fraud-attacks.ts';
import { cardTesting, muleRing, refundAbuse } from './fraud-schemes.ts';
import { simulateLookAlikes } from './look-alike-episodes.ts';
import { createPopulation } from './population.ts';
import { fraudTypologies, type FraudTypology, type RiskEvent } from './risk-event.ts';
import { SeededRandom } from './seeded-random.ts';
import { SimulatedWorld } from './simulated-world.ts';
import { planUsers } from './user-plans.ts';

export interface SimulationOptions {
  readonly seed: number;
  readonly users: number;
  /** Simulated days, the warm-up included. */
  readonly days: number;
  /** Days of ordinary history before any fraud or look-alike episode; default days / 5, ≤ 7. */
  readonly warmupDays?: number;
  /** When the simulation starts (UTC); a fixed Monday by default, never the clock. */
  readonly startMs?: number;
}

export interface Simulation {
  readonly seed: number;
  readonly users: number;
  readonly days: number;
  readonly warmupDays: number;
  readonly startMs: number;
  readonly endMs: number;
  /** Time-ordered: account events and labelled money movements. */
  readonly events: readonly RiskEvent[];
}

/**
 * Fraud cases per 1,000 users per week, by typology. With ordinary activity of about 1.5
 * movements per user per day, this makes fraud about 0.7% of the money movements, each
 * typology contributing a few hundred movements per 5,000 users and month.
 */
export const fraudCaseRates: Readonly<Record<FraudTypology, number>> = {
  card_testing: 1.2,
  account_takeover: 4,
  mule: 1.2,
  velocity_burst: 1.2,
  new_device_high_value: 8,
  impossible_travel: 6,
  refund_abuse: 3,
};

const scenarios: Readonly<Record<FraudTypology, (context: FraudContext) => void>> = {
  card_testing: cardTesting,
  account_takeover: accountTakeover,
  mule: muleRing,
  velocity_burst: velocityBurst,
  new_device_high_value: newDeviceHighValue,
  impossible_travel: impossibleTravel,
  refund_abuse: refundAbuse,
};

export const defaultStartMs = Date.UTC(2026, 0, 5);

/**
 * Labelled, time-ordered traffic of a synthetic wallet: ordinary users, the legitimate
 * behaviours that resemble fraud, and seven fraud typologies with careful variants. Pure and
 * deterministic: the same options give the same events, byte for byte.
 */
export function simulate(options: SimulationOptions): Simulation {
  const { seed, users, days } = options;
  assert(Number.isInteger(users) && users >= 20 && users <= 1_000_000, `users ${users}: 20 to 1e6`);
  assert(Number.isInteger(days) && days >= 4 && days <= 400, `days ${days}: 4 to 400`);
  const warmupDays = options.warmupDays ?? Math.min(7, Math.floor(days / 5));
  assert(warmupDays >= 0 && warmupDays < days - 2, `warm-up ${warmupDays} leaves too few days`);
  const startMs = options.startMs ?? defaultStartMs;
  const random = new SeededRandom(seed);
  const world = new SimulatedWorld(startMs, days);
  const recorder = new EventRecorder(world.endMs);
  createPopulation(world, random.fork('population'), recorder, users);
  const plans = planUsers(world, random.fork('plans'), warmupDays);
  simulateEverydayActivity(world, recorder, random.fork('everyday'), plans);
  simulateLookAlikes(world, recorder, random.fork('look-alikes'), plans, warmupDays);
  const fraud = new FraudContext(world, recorder, random.fork('fraud'), warmupDays);
  for (const typology of fraudTypologies) {
    const cases = fraud.caseCount(fraudCaseRates[typology]);
    for (let i = 0; i < cases; i += 1) scenarios[typology](fraud);
  }
  return { seed, users, days, warmupDays, startMs, endMs: world.endMs, events: recorder.finish() };
}
