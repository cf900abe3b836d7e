import type { RiskDecision } from '@kassa/contracts';
import { stricter, type RiskReason } from './risk-policy.ts';

/** What a rule does when its condition holds. */
export const ruleActions = ['allow', 'block', 'review', 'step_up'] as const;
export type RuleAction = (typeof ruleActions)[number];

/** The rule of a rule set that decided a movement, with the reason the payer is shown. */
export interface RuleMatch {
  readonly name: string;
  readonly action: RuleAction;
  readonly reason: RiskReason | null;
}

/**
 * Rules apply in Stripe Radar's order: an allow rule first (it lets a movement through whatever
 * the model says), then block, review and step-up rules, the strictest that matches. `matches`
 * returns whether the rule at an index holds; rules are tried in the order they are written
 * within each action.
 */
export function firstMatch<Rule extends { readonly action: RuleAction }>(
  rules: readonly Rule[],
  matches: (rule: Rule) => boolean,
): Rule | null {
  for (const action of ['allow', 'block', 'review', 'step_up'] as const)
    for (const rule of rules) if (rule.action === action && matches(rule)) return rule;
  return null;
}

/**
 * A rule's match combined with the model's decision. A rule makes the decision stricter, or an
 * allow rule lets it through; either way a person wrote it, so it is enforced even while the
 * model itself runs in shadow (then the rule's decision stands alone).
 */
export function withRule(
  model: { readonly decision: RiskDecision; readonly enforced: boolean },
  match: RuleMatch | null,
): { decision: RiskDecision; enforced: boolean; byRule: boolean } {
  if (match === null) return { ...model, byRule: false };
  if (match.action === 'allow') return { decision: 'allow', enforced: true, byRule: true };
  const decision = model.enforced ? stricter(model.decision, match.action) : match.action;
  return { decision, enforced: true, byRule: decision === match.action };
}
