import type { RiskDecision } from '@kassa/contracts';
import type { RiskSettings } from '../../config/config.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Queryable } from '../../platform/db.ts';
import type { Metrics } from '../../platform/metrics.ts';
import {
  modelDecision,
  reasonsFor,
  scoreOf,
  type RiskReason,
  type RiskThresholds,
} from './domain/risk-policy.ts';
import { roundToDigits } from './domain/compact-number.ts';
import { withRule } from './domain/rule-outcome.ts';
import type { ModelRegistry } from './model-registry.ts';
import { ruleContext } from './rule-language.ts';
import { matchRules, type RuleSetRegistry } from './rule-set-registry.ts';
import { runtimeFeatures, type MovementInput } from './runtime-features.ts';

/** The rules applied when no rule set is live: the thresholds alone (domain/risk-policy.ts). */
export const rulesVersion = 'builtin-1';

/** What a shadow rule set would have decided, stored beside the live decision. */
export interface ShadowDecision {
  readonly rules_version: string;
  /** The decision that would have applied (an unenforced one counts as allow). */
  readonly decision: RiskDecision;
  readonly rule: string | null;
}

/**
 * A decision as stored with the money movement (`payments.risk`, `refunds.risk`). `timings_us`
 * and `enforced` stay internal; the public view is `publicRisk`.
 */
export interface RiskAssessment {
  readonly decision: RiskDecision;
  readonly score: number;
  readonly reasons: readonly RiskReason[];
  readonly model_version: string | null;
  readonly rules_version: string;
  /**
   * false in shadow (`RISK_MODE=shadow`, or a model no operator promoted yet): the decision
   * was recorded, the movement allowed.
   */
  readonly enforced: boolean;
  /** Set when scoring failed or timed out and the kind's failure policy decided. */
  readonly failed?: 'open' | 'closed';
  /** The engine's own decision, when the movement could only apply another (`applied`). */
  readonly model_decision?: RiskDecision;
  /** The live rule that matched, if one did. */
  readonly rule?: string;
  /** The shadow rule set's would-be decision, when one runs. */
  readonly shadow?: ShadowDecision;
  /**
   * The feature vector decided on (7 significant digits): rule sets are backtested on it.
   * Internal, like the timings.
   */
  readonly features?: readonly number[];
  readonly timings_us: {
    readonly features: number;
    readonly model: number;
    readonly rules: number;
  };
}

/** The score thresholds a deployment decides by (RISK_BLOCK_AT, RISK_REVIEW_AT, RISK_STEP_UP_AT). */
export function riskThresholds(settings: RiskSettings): RiskThresholds {
  return { block: settings.blockAt, review: settings.reviewAt, stepUp: settings.stepUpAt };
}

/** What the payer (or the merchant) sees of a decision. */
export function publicRisk(risk: RiskAssessment | null) {
  if (risk === null) return null;
  return {
    decision: risk.enforced ? risk.decision : ('allow' as const),
    score: risk.score,
    reasons: risk.enforced ? risk.reasons.map(({ code, message }) => ({ code, message })) : [],
    model_version: risk.model_version,
    rules_version: risk.rules_version,
  };
}

/** What an operator sees of a decision: all of it but the feature vector (kept for backtests). */
export function operatorRisk(risk: RiskAssessment | null): Omit<RiskAssessment, 'features'> | null {
  if (risk === null) return null;
  return Object.fromEntries(Object.entries(risk).filter(([key]) => key !== 'features')) as Omit<
    RiskAssessment,
    'features'
  >;
}

/**
 * A decision as a kind of movement can apply it: a top-up or refund cannot be held for review
 * or stepped up (the card's issuer steps up top-ups), so it goes ahead; a payout's review is a
 * second factor. The object then shows what happened; the engine's decision is kept beside it.
 */
export function applied(
  risk: RiskAssessment | null,
  as: (decision: RiskDecision) => RiskDecision,
): RiskAssessment | null {
  if (risk === null) return null;
  const decision = as(risk.decision);
  if (decision === risk.decision) return risk;
  return {
    ...risk,
    decision,
    model_decision: risk.decision,
    reasons: decision === 'allow' ? [] : risk.reasons,
  };
}

/** What a top-up or a refund can apply: a block, or going ahead. */
export const blockOrAllow = (decision: RiskDecision): RiskDecision =>
  decision === 'block' ? 'block' : 'allow';

/** The decision that applies: a shadow decision (or none: scoring off) allows. */
export function effectiveDecision(risk: RiskAssessment | null): RiskDecision {
  return risk?.enforced === true ? risk.decision : 'allow';
}

const listedReason = {
  code: 'block_list',
  message: 'Payments from or to this account are stopped. Contact support.',
};

/** A rule's reason first, then the model's signals, three at most, no code twice. */
function withReason(first: RiskReason, rest: readonly RiskReason[]): RiskReason[] {
  return [first, ...rest.filter((r) => r.code !== first.code && r.code !== 'model_score')].slice(
    0,
    3,
  );
}

const microseconds = (fromNs: bigint) => Number((process.hrtime.bigint() - fromNs) / 1000n);

/**
 * Scores a money movement before it posts: features from PostgreSQL (one statement), the live
 * model, then the rules. Bounded by `timeoutMs`; on failure the kind's policy decides (fail
 * open: allow; fail closed: ask for a second factor), and the decision says so.
 */
export function createRiskEngine(deps: {
  db: Queryable;
  clock: Clock;
  settings: RiskSettings;
  models: ModelRegistry;
  rules: RuleSetRegistry;
  metrics?: Metrics;
  /** Told of every scoring failure (logged by the composition root). */
  onError?: (error: unknown, input: MovementInput) => void;
}) {
  const { settings } = deps;
  const thresholds = riskThresholds(settings);

  async function score(input: MovementInput): Promise<RiskAssessment> {
    const started = process.hrtime.bigint();
    const { vector, listed } = await runtimeFeatures(deps.db, input);
    const features = microseconds(started);
    const modelStarted = process.hrtime.bigint();
    const model = await deps.models.current();
    const probability = model === null ? 0 : model.scorer.score(vector);
    const modelUs = microseconds(modelStarted);
    const rulesStarted = process.hrtime.bigint();
    const rules = await deps.rules.current();
    const points = scoreOf(probability);
    const byModel = {
      decision: modelDecision(input.kind, points, thresholds),
      enforced: model?.promoted === true,
    };
    const context =
      rules.live === null && rules.shadow === null
        ? null
        : ruleContext({
            kind: input.kind,
            amountMinor: input.amountMinor,
            currency: input.currency,
            score: points,
            vector,
          });
    const match = rules.live === null || context === null ? null : matchRules(rules.live, context);
    const ruled = withRule(byModel, match);
    let decision = ruled.decision;
    let reasons = decision === 'allow' ? [] : reasonsFor(vector, points);
    if (ruled.byRule && match?.reason) reasons = withReason(match.reason, reasons);
    let shadow: ShadowDecision | undefined;
    if (rules.shadow !== null && context !== null) {
      const would = matchRules(rules.shadow, context);
      const outcome = withRule(byModel, would);
      shadow = {
        rules_version: rules.shadow.label,
        decision: outcome.enforced ? outcome.decision : 'allow',
        rule: would?.name ?? null,
      };
    }
    // An operator's list outranks the model and the rules: a block stops it, an allow lets it
    // through. It is enforced whether or not a model was promoted (a person decided it).
    if (listed !== null) {
      decision = listed;
      reasons = listed === 'block' ? [listedReason] : [];
    }
    return {
      decision,
      score: points,
      reasons,
      model_version: model?.version ?? null,
      rules_version: rules.live?.label ?? rulesVersion,
      enforced: settings.mode === 'enforce' && (listed !== null || ruled.enforced),
      ...(match === null ? {} : { rule: match.name }),
      ...(shadow === undefined ? {} : { shadow }),
      features: Array.from(vector, roundToDigits),
      timings_us: { features, model: modelUs, rules: microseconds(rulesStarted) },
    };
  }

  function failed(input: MovementInput, error: unknown): RiskAssessment {
    const closed = settings.failClosed.has(input.kind);
    deps.metrics?.riskFailures.inc({ kind: input.kind, policy: closed ? 'closed' : 'open' });
    deps.onError?.(error, input);
    return {
      decision: closed ? 'step_up' : 'allow',
      score: 0,
      reasons: closed
        ? [
            {
              code: 'risk_unavailable',
              message: 'The risk check could not run; a second factor stands in for it.',
            },
          ]
        : [],
      model_version: null,
      rules_version: rulesVersion,
      // Fail closed where decisions are enforced at all: a promoted model or live rules in
      // hand (the rules could not run either: the second factor stands in for them too).
      enforced: settings.mode === 'enforce' && (deps.models.promotedNow() || deps.rules.liveNow()),
      failed: closed ? 'closed' : 'open',
      timings_us: { features: 0, model: 0, rules: 0 },
    };
  }

  return {
    /** The live and shadow rule sets (read them; after a change, `rules.invalidate()`). */
    rules: deps.rules,
    /** The live model (the backtest replays with its enforcement). */
    models: deps.models,
    thresholds,
    /** The decision on a movement; null when scoring is off (`RISK_MODE=off`). */
    async assess(input: MovementInput): Promise<RiskAssessment | null> {
      if (settings.mode === 'off') return null;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('risk scoring timed out')), settings.timeoutMs);
      });
      try {
        const startedNs = process.hrtime.bigint();
        const risk = await Promise.race([score(input), timeout]);
        const decision = effectiveDecision(risk);
        deps.metrics?.riskDecisions.inc({ kind: input.kind, decision });
        deps.metrics?.riskDecisionSeconds.observe(
          Number(process.hrtime.bigint() - startedNs) / 1e9,
        );
        deps.metrics?.riskScore.observe(risk.score);
        // Reason codes are few and fixed (signals, lists) or an operator's rule codes.
        if (decision !== 'allow')
          for (const reason of risk.reasons)
            deps.metrics?.riskReasons.inc({ decision, reason: reason.code });
        return risk;
      } catch (error) {
        return failed(input, error);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export type RiskEngine = ReturnType<typeof createRiskEngine>;
