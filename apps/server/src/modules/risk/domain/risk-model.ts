import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../kernel/canonical-json.ts';
import { featureNames } from './features.ts';
import type { GbdtModel } from './gbdt.ts';
import { GbdtScorer } from './gbdt-scorer.ts';
import { LogisticScorer, type LogisticModel } from './logistic.ts';

export type RiskModel = GbdtModel | LogisticModel;
export const modelKinds = ['gbdt', 'logistic'] as const;
export type ModelKind = (typeof modelKinds)[number];

/** Anything that turns a feature vector into a probability of fraud. */
export interface Scorer {
  score(vector: Float64Array): number;
}

/** A model file that is not a model of this feature set. */
export class InvalidModelError extends Error {
  override readonly name = 'InvalidModelError';
}

export function compileModel(model: RiskModel): Scorer {
  return model.kind === 'gbdt' ? new GbdtScorer(model) : new LogisticScorer(model);
}

/** The model as JSON with sorted keys: the same model always gives the same bytes. */
export function serializeModel(model: RiskModel): string {
  return canonicalJson(model);
}

/** A model's version: its kind and the start of the SHA-256 of its bytes. */
export function modelVersion(serialized: string): string {
  const kind = (JSON.parse(serialized) as { kind?: unknown }).kind;
  const digest = createHash('sha256').update(serialized).digest('hex').slice(0, 12);
  return `${typeof kind === 'string' ? kind : 'model'}_${digest}`;
}

/**
 * Reads a model file. Refuses (InvalidModelError) JSON that is not a model, another format
 * version, or a model trained on a different feature list than this build computes.
 */
export function parseModel(serialized: string): RiskModel {
  let value: unknown;
  try {
    value = JSON.parse(serialized);
  } catch (error) {
    throw new InvalidModelError('the model file is not JSON', { cause: error });
  }
  const model = value as {
    kind?: unknown;
    formatVersion?: unknown;
    featureNames?: unknown;
    trees?: unknown;
    baseMargin?: unknown;
    weights?: unknown;
  };
  if (typeof value !== 'object' || value === null || !modelKinds.includes(model.kind as ModelKind))
    throw new InvalidModelError('not a risk model: kind must be gbdt or logistic');
  if (model.formatVersion !== 1)
    throw new InvalidModelError(`model format version ${String(model.formatVersion)} is not 1`);
  const names = model.featureNames;
  if (!Array.isArray(names) || names.join(',') !== featureNames.join(','))
    throw new InvalidModelError('the model was trained on another feature list');
  if (
    model.kind === 'gbdt' &&
    (!Array.isArray(model.trees) || typeof model.baseMargin !== 'number')
  )
    throw new InvalidModelError('a gbdt model needs trees and a base margin');
  if (
    model.kind === 'logistic' &&
    (!Array.isArray(model.weights) || model.weights.length !== featureNames.length)
  )
    throw new InvalidModelError('a logistic model needs one weight per feature');
  return value as RiskModel;
}
