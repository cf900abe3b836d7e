import { assert } from '../../../kernel/assert.ts';
import { FeatureExtractor } from './feature-extractor.ts';
import { featureCount } from './features.ts';
import type { FraudTypology, LookAlike } from './risk-event.ts';
import { SeededRandom } from './seeded-random.ts';
import type { Simulation } from './simulator.ts';

const dayMs = 86_400_000;

/** Feature vectors of money movements with their labels, row by row, in time order. */
export interface LabelledRows {
  readonly count: number;
  /** `count × featureCount` numbers, row-major. */
  readonly vectors: Float64Array;
  /** The label a model may learn from: 1 for known fraud (hidden fraud is 0 in training). */
  readonly labels: Uint8Array;
  /** The truth, for evaluation only: 1 for every fraudulent movement. */
  readonly fraud: Uint8Array;
  readonly typologies: readonly (FraudTypology | null)[];
  readonly lookAlikes: readonly (LookAlike | null)[];
  readonly atMs: Float64Array;
  readonly eventIds: readonly string[];
}

export interface TrainTestSplit {
  readonly train: LabelledRows;
  readonly test: LabelledRows;
  /** Training rows are before this moment, test rows at or after it. */
  readonly splitAtMs: number;
  /** Fraud cases (and their movements) left unlabelled in training, as unreported fraud is. */
  readonly hiddenCases: number;
  readonly hiddenMovements: number;
}

export interface SplitOptions {
  /** Share of the post-warm-up period used for training (the rest, later in time, tests). */
  readonly trainShare?: number;
  /** Share of training fraud cases left unlabelled. */
  readonly hiddenShare?: number;
}

/**
 * Runs the feature extractor over the whole stream (each vector sees only the past), drops the
 * warm-up, splits by time and hides about a tenth of the training fraud cases: their
 * movements are labelled legitimate, as fraud nobody reported is. Test labels are the truth.
 */
export function splitByTime(simulation: Simulation, options: SplitOptions = {}): TrainTestSplit {
  const trainShare = options.trainShare ?? 0.7;
  const hiddenShare = options.hiddenShare ?? 0.1;
  assert(trainShare > 0 && trainShare < 1, `trainShare ${trainShare} in (0, 1)`);
  const activeFromMs = simulation.startMs + simulation.warmupDays * dayMs;
  const splitAtMs = Math.floor(activeFromMs + trainShare * (simulation.endMs - activeFromMs));
  const extractor = new FeatureExtractor();
  const train = new RowBuilder();
  const test = new RowBuilder();
  for (const event of simulation.events) {
    const vector = extractor.observe(event);
    if (vector === null || event.type !== 'money_movement' || event.atMs < activeFromMs) continue;
    (event.atMs < splitAtMs ? train : test).push(vector, event);
  }
  const hidden = hiddenCases(train, hiddenShare, simulation.seed);
  let hiddenMovements = 0;
  for (let i = 0; i < train.caseIds.length; i += 1) {
    const caseId = train.caseIds[i];
    if (caseId !== null && caseId !== undefined && hidden.has(caseId)) {
      train.labels[i] = 0;
      hiddenMovements += 1;
    }
  }
  return {
    train: train.build(),
    test: test.build(),
    splitAtMs,
    hiddenCases: hidden.size,
    hiddenMovements,
  };
}

/** A fixed share of the training cases, picked by a seeded shuffle in order of appearance. */
function hiddenCases(rows: RowBuilder, share: number, seed: number): Set<string> {
  const cases = [...new Set(rows.caseIds.filter((c): c is string => c !== null))];
  const random = new SeededRandom(seed).fork('hidden-labels');
  for (let i = cases.length - 1; i > 0; i -= 1) {
    const j = random.int(i + 1);
    [cases[i], cases[j]] = [cases[j] as string, cases[i] as string];
  }
  return new Set(cases.slice(0, Math.round(cases.length * share)));
}

class RowBuilder {
  private readonly chunks: Float64Array[] = [];
  readonly labels: number[] = [];
  readonly caseIds: (string | null)[] = [];
  private readonly typologies: (FraudTypology | null)[] = [];
  private readonly lookAlikes: (LookAlike | null)[] = [];
  private readonly times: number[] = [];
  private readonly ids: string[] = [];

  push(
    vector: Float64Array,
    event: {
      id: string;
      atMs: number;
      truth: {
        fraud: boolean;
        typology: FraudTypology | null;
        lookAlike: LookAlike | null;
        caseId: string | null;
      };
    },
  ): void {
    this.chunks.push(vector);
    this.labels.push(event.truth.fraud ? 1 : 0);
    this.caseIds.push(event.truth.caseId);
    this.typologies.push(event.truth.typology);
    this.lookAlikes.push(event.truth.lookAlike);
    this.times.push(event.atMs);
    this.ids.push(event.id);
  }

  build(): LabelledRows {
    const count = this.chunks.length;
    const vectors = new Float64Array(count * featureCount);
    this.chunks.forEach((v, i) => vectors.set(v, i * featureCount));
    return {
      count,
      vectors,
      labels: Uint8Array.from(this.labels),
      fraud: Uint8Array.from(this.typologies, (t) => (t === null ? 0 : 1)),
      typologies: this.typologies,
      lookAlikes: this.lookAlikes,
      atMs: Float64Array.from(this.times),
      eventIds: this.ids,
    };
  }
}

/**
 * Rows of two sources as one training set (the simulator's and the decisions recorded in
 * production with their labels): the second's rows follow the first's.
 */
export function joinRows(a: LabelledRows, b: LabelledRows): LabelledRows {
  const vectors = new Float64Array((a.count + b.count) * featureCount);
  vectors.set(a.vectors, 0);
  vectors.set(b.vectors, a.count * featureCount);
  const join8 = (x: Uint8Array, y: Uint8Array) => {
    const out = new Uint8Array(x.length + y.length);
    out.set(x, 0);
    out.set(y, x.length);
    return out;
  };
  const times = new Float64Array(a.count + b.count);
  times.set(a.atMs, 0);
  times.set(b.atMs, a.count);
  return {
    count: a.count + b.count,
    vectors,
    labels: join8(a.labels, b.labels),
    fraud: join8(a.fraud, b.fraud),
    typologies: [...a.typologies, ...b.typologies],
    lookAlikes: [...a.lookAlikes, ...b.lookAlikes],
    atMs: times,
    eventIds: [...a.eventIds, ...b.eventIds],
  };
}
