import { Environment } from '@marcbachmann/cel-js';
import { featureNames } from './domain/features.ts';
import type { MovementKind } from './domain/risk-event.ts';
import { ruleActions, type RuleAction } from './domain/rule-outcome.ts';
import type { RiskReason } from './domain/risk-policy.ts';

/**
 * Risk rules in CEL (Common Expression Language) over the typed feature set. A rule reads:
 *
 *   { "name": "big_first_payment", "when": "payee_is_new == 1.0 && amount > 50000",
 *     "action": "review", "reason": { "code": "new_payee", "message": "…" } }
 *
 * Variables: every feature of domain/features.ts by name (a double; `kind` excepted), plus
 * `kind` (a string: p2p, merchant_payment, top_up, payout, refund), `amount` (an int, minor
 * units), `currency` (a string) and `score` (the model's score, an int 0–99). A rule that does
 * not compile, names an unknown variable, or is not a boolean is refused with its position.
 */
export interface RuleSource {
  readonly name: string;
  readonly when: string;
  readonly action: RuleAction;
  readonly reason?: RiskReason | undefined;
}

/** What a rule is evaluated against: one movement. */
export interface RuleInput {
  readonly kind: MovementKind;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly score: number;
  /** The feature vector (or one as stored with a past decision). */
  readonly vector: ArrayLike<number>;
}

export interface CompiledRule {
  readonly name: string;
  /** Its expression's nodes: what evaluating it costs, at most. */
  readonly cost: number;
  readonly action: RuleAction;
  readonly reason: RiskReason | null;
  /** Whether the rule holds; a rule that fails at run time (an overflow, say) does not. */
  readonly test: (context: RuleContext) => boolean;
}

export type RuleContext = Record<string, number | bigint | string>;

/** A rule the language refused, with where: `rules[2].when`, line and column (1-based). */
export class RuleError extends Error {
  override readonly name = 'RuleError';
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

const ruleFeatures = featureNames.filter((name) => name !== 'kind');
const featureSlots = ruleFeatures.map((name) => featureNames.indexOf(name));

let environment: Environment | undefined;
function rulesEnvironment(): Environment {
  if (environment !== undefined) return environment;
  let env = new Environment({
    limits: {
      maxAstNodes: 500,
      maxDepth: 32,
      maxListElements: 100,
      maxMapEntries: 0,
      maxCallArguments: 8,
    },
  })
    .registerVariable('kind', 'string')
    .registerVariable('amount', 'int')
    .registerVariable('currency', 'string')
    .registerVariable('score', 'int');
  for (const name of ruleFeatures) env = env.registerVariable(name, 'double');
  environment = env;
  return env;
}

/** The variables a rule can name, for documentation and error messages. */
export const ruleVariables = ['kind', 'amount', 'currency', 'score', ...ruleFeatures] as const;

/** The context rules are evaluated against (filled into `into` when given: a replay reuses one). */
export function ruleContext(input: RuleInput, into: RuleContext = {}): RuleContext {
  const context = into;
  context['kind'] = input.kind;
  context['amount'] = input.amountMinor;
  context['currency'] = input.currency;
  context['score'] = BigInt(input.score);
  for (let i = 0; i < ruleFeatures.length; i += 1)
    context[ruleFeatures[i] as string] = input.vector[featureSlots[i] as number] ?? -1;
  return context;
}

function position(source: string, offset: number): string {
  const before = source.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

function offsetOf(error: unknown): number {
  const node = (error as { node?: { pos?: number } } | null)?.node;
  return typeof node?.pos === 'number' ? node.pos : 0;
}

/**
 * What a rule may use: comparisons, and/or/not, the conditional, arithmetic, `in` a list literal,
 * literals, the variables, and int()/double(). No macros (exists, map, filter…), no methods
 * (matches, startsWith…), no indexing: with at most 500 nodes a rule then costs at most a few
 * microseconds, whatever it says (a regular expression or a nested comprehension can take
 * minutes, on the API's one thread). Numbers are what features are; nothing else is needed.
 */
const allowedOps = new Set([
  '?:',
  '||',
  '&&',
  '!_',
  '-_',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  'in',
  'list',
  'value',
  'id',
  'call',
]);
const allowedCalls = new Set(['int', 'double']);
const maxStringLiteral = 64;

type AstNode = { op?: unknown; args?: unknown; pos?: unknown };

/** Refuses what a rule may not use; returns how many nodes it has (its cost). */
function checkAllowed(ast: unknown, source: string, param: string): number {
  let nodes = 0;
  const refuse = (node: AstNode, what: string): never => {
    throw new RuleError(
      param,
      `${what} is not allowed in a rule; use comparisons, && || !, arithmetic, \`in [...]\`, int() and double() (at ${position(source, typeof node.pos === 'number' ? node.pos : 0)}).`,
    );
  };
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const node = value as AstNode;
    if (typeof node.op !== 'string') return;
    nodes += 1;
    if (!allowedOps.has(node.op)) {
      const name =
        Array.isArray(node.args) && typeof node.args[0] === 'string' ? node.args[0] : null;
      refuse(node, node.op === 'rcall' && name !== null ? `.${name}()` : `"${node.op}"`);
    }
    if (node.op === 'call') {
      const name: unknown = Array.isArray(node.args) ? (node.args as unknown[])[0] : undefined;
      if (typeof name !== 'string' || !allowedCalls.has(name)) refuse(node, `${String(name)}()`);
    }
    if (node.op === 'value' && typeof node.args === 'string' && node.args.length > maxStringLiteral)
      refuse(node, `A text longer than ${maxStringLiteral} characters`);
    walk(node.args);
  };
  walk(ast);
  return nodes;
}

const namePattern = /^[a-z][a-z0-9_]{0,62}$/;
const reasonCodePattern = /^[a-z][a-z0-9_]{1,39}$/;

/** Checks one rule and compiles it; throws RuleError naming the field and the position. */
export function compileRule(rule: RuleSource, at: string): CompiledRule {
  if (!namePattern.test(rule.name))
    throw new RuleError(
      `${at}.name`,
      'A rule name is 1 to 63 lowercase letters, digits or underscores, starting with a letter.',
    );
  if (!(ruleActions as readonly string[]).includes(rule.action))
    throw new RuleError(`${at}.action`, `action must be one of ${ruleActions.join(', ')}.`);
  const reason = rule.reason ?? null;
  if (reason === null && rule.action !== 'allow')
    throw new RuleError(
      `${at}.reason`,
      'A rule that blocks, reviews or steps up needs a reason ({code, message}): the payer is shown it.',
    );
  if (reason !== null && (typeof reason.code !== 'string' || typeof reason.message !== 'string'))
    throw new RuleError(`${at}.reason`, 'A reason is {code, message}, both text.');
  if (reason !== null && !reasonCodePattern.test(reason.code))
    throw new RuleError(
      `${at}.reason.code`,
      'A reason code is 2 to 40 lowercase letters, digits or underscores, starting with a letter.',
    );
  if (reason !== null && (reason.message.length < 3 || reason.message.length > 160))
    throw new RuleError(`${at}.reason.message`, 'A reason message is 3 to 160 characters.');
  const env = rulesEnvironment();
  const checked = (() => {
    try {
      return env.check(rule.when);
    } catch (error) {
      return { valid: false as const, error: error as Error };
    }
  })();
  if (!checked.valid) {
    const error = checked.error;
    const first = (error?.message ?? 'does not compile').split('\n')[0];
    throw new RuleError(`${at}.when`, `${first} (at ${position(rule.when, offsetOf(error))}).`);
  }
  if (checked.type !== 'bool')
    throw new RuleError(
      `${at}.when`,
      `A condition must be true or false; this one is a ${String(checked.type)}.`,
    );
  const program = env.parse(rule.when);
  const cost = checkAllowed(program.ast, rule.when, `${at}.when`);
  return {
    cost,
    name: rule.name,
    action: rule.action,
    reason: reason === null ? null : { code: reason.code, message: reason.message },
    test(context) {
      try {
        return program(context) === true;
      } catch {
        return false;
      }
    },
  };
}

export const maxRules = 100;
/** The nodes of all a set's rules together: every movement evaluates up to all of them. */
export const maxRuleSetCost = 5_000;

/** Compiles a whole rule set; names must be unique. Throws RuleError at the first fault. */
export function compileRules(rules: readonly RuleSource[]): CompiledRule[] {
  if (rules.length > maxRules)
    throw new RuleError('rules', `A rule set holds at most ${maxRules} rules.`);
  const seen = new Set<string>();
  let cost = 0;
  return rules.map((rule, i) => {
    const compiled = compileRule(rule, `rules[${i}]`);
    if (seen.has(compiled.name))
      throw new RuleError(`rules[${i}].name`, `Two rules are named ${compiled.name}.`);
    seen.add(compiled.name);
    cost += compiled.cost;
    if (cost > maxRuleSetCost)
      throw new RuleError(
        `rules[${i}].when`,
        `The rules together are too large to run on every payment (more than ${maxRuleSetCost} parts); split or simplify them.`,
      );
    return compiled;
  });
}
