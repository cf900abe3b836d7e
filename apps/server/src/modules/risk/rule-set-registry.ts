import type { Clock } from '../../kernel/clock.ts';
import type { Queryable } from '../../platform/db.ts';
import { periodicRead } from '../../platform/periodic-read.ts';
import { firstMatch, type RuleMatch } from './domain/rule-outcome.ts';
import { compileRules, type CompiledRule, type RuleContext } from './rule-language.ts';
import { getRuleSet, ruleSetLabel, rulesState } from './rule-sets.ts';

/** An approved rule set in force, compiled: one immutable snapshot. */
export interface ActiveRuleSet {
  readonly id: string;
  /** `rs-<version>`, as recorded on each decision. */
  readonly label: string;
  readonly rules: readonly CompiledRule[];
}

export interface ActiveRules {
  readonly live: ActiveRuleSet | null;
  readonly shadow: ActiveRuleSet | null;
}

/** The rule of a set that decides a movement (Radar's order), or null. */
export function matchRules(set: ActiveRuleSet, context: RuleContext): RuleMatch | null {
  const rule = firstMatch(set.rules, (r) => r.test(context));
  return rule === null ? null : { name: rule.name, action: rule.action, reason: rule.reason };
}

/** Compiles a stored set (it compiled when it was submitted; the language may not change). */
export function activeRuleSet(set: {
  id: string;
  version: number;
  rules: Parameters<typeof compileRules>[0];
}): ActiveRuleSet {
  return { id: set.id, label: ruleSetLabel(set.version), rules: compileRules(set.rules) };
}

/**
 * The live and shadow rule sets every API process applies. Re-read at most every
 * `refreshSeconds` (one row; platform/periodic-read.ts), so an approval or a rollback reaches
 * every process within that time and without a restart. Compiled sets are cached by id (they
 * never change).
 */
export function createRuleSetRegistry(deps: {
  db: Queryable;
  clock: Clock;
  refreshSeconds?: number;
  onError?: (error: unknown) => void;
}) {
  const compiled = new Map<string, ActiveRuleSet>();

  async function load(id: string | null): Promise<ActiveRuleSet | null> {
    if (id === null) return null;
    const cached = compiled.get(id);
    if (cached !== undefined) return cached;
    const set = await getRuleSet(deps.db, id);
    if (set === null) return null;
    const ready = activeRuleSet(set);
    compiled.set(id, ready);
    return ready;
  }

  const inForce = periodicRead<ActiveRules>({
    clock: deps.clock,
    everyMs: (deps.refreshSeconds ?? 5) * 1000,
    initial: { live: null, shadow: null },
    ...(deps.onError === undefined ? {} : { onError: deps.onError }),
    async read() {
      const state = await rulesState(deps.db);
      return { live: await load(state.live), shadow: await load(state.shadow) };
    },
  });

  return {
    current: (): Promise<ActiveRules> => inForce.current(),
    /** Re-read on the next decision (this process changed the state). */
    invalidate: (): void => inForce.invalidate(),
    /** Whether a live set is in hand (no I/O: a failure path reads it). */
    liveNow: (): boolean => inForce.peek().live !== null,
  };
}

export type RuleSetRegistry = ReturnType<typeof createRuleSetRegistry>;
