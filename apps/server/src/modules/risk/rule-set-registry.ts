import type { Clock } from '../../kernel/clock.ts';
import type { Queryable } from '../../platform/db.ts';
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
 * `refreshSeconds` (one row), so an approval or a rollback reaches every process within that
 * time and without a restart; the swap replaces one object, so a request in flight keeps the
 * snapshot it started with. Compiled sets are cached by id (they never change).
 */
export function createRuleSetRegistry(deps: {
  db: Queryable;
  clock: Clock;
  refreshSeconds?: number;
  onError?: (error: unknown) => void;
}) {
  const refreshMs = (deps.refreshSeconds ?? 5) * 1000;
  const compiled = new Map<string, ActiveRuleSet>();
  let active: ActiveRules = { live: null, shadow: null };
  let readAtMs = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | null = null;
  /** Bumped by `invalidate`: a read that started before it does not count as fresh. */
  let generation = 0;

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

  async function refresh(): Promise<void> {
    const started = generation;
    const state = await rulesState(deps.db);
    const next = { live: await load(state.live), shadow: await load(state.shadow) };
    if (started !== generation) return; // invalidated meanwhile: read again next time
    active = next;
    readAtMs = deps.clock.now().getTime();
  }

  return {
    async current(): Promise<ActiveRules> {
      if (deps.clock.now().getTime() - readAtMs >= refreshMs) {
        reading ??= refresh()
          .catch((error: unknown) => {
            readAtMs = deps.clock.now().getTime();
            deps.onError?.(error);
          })
          .finally(() => {
            reading = null;
          });
        await reading;
      }
      return active;
    },
    /** Re-read on the next decision (this process changed the state). */
    invalidate(): void {
      generation += 1;
      readAtMs = Number.NEGATIVE_INFINITY;
    },
    /** Whether a live set is in hand (no I/O: a failure path reads it). */
    liveNow(): boolean {
      return active.live !== null;
    },
  };
}

export type RuleSetRegistry = ReturnType<typeof createRuleSetRegistry>;
