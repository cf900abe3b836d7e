import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { IdParams, ListQuery } from '@kassa/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { encodeId } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import {
  idOrNotFound,
  operatorActor,
  pageLimit,
  requireNamedOperator,
  requireFraudDesk,
} from '../../platform/request-context.ts';
import { recordAudit } from '../audit/index.ts';
import { alertOperator } from '../notifications/index.ts';
import type { RiskEngine } from './risk-engine.ts';
import { backtestRules } from './rule-backtest.ts';
import { compileRules, RuleError, type RuleSource } from './rule-language.ts';
import { activeRuleSet } from './rule-set-registry.ts';
import {
  deactivateRuleSet,
  getRuleSet,
  listRuleSets,
  reviewRuleSet,
  rulesState,
  submitRuleSet,
  type RuleSetRecord,
  type RulesState,
} from './rule-sets.ts';
import { shadowReport } from './shadow-report.ts';

const Rule = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 63,
      description: 'Unique in the set: a_rule_name.',
    }),
    when: Type.String({
      minLength: 1,
      maxLength: 2000,
      description:
        'A CEL condition over the features, e.g. `amount > 50000 && payee_is_new == 1.0`.',
    }),
    action: Type.Union([
      Type.Literal('allow'),
      Type.Literal('block'),
      Type.Literal('review'),
      Type.Literal('step_up'),
    ]),
    reason: Type.Optional(
      Type.Object(
        {
          code: Type.String({ minLength: 2, maxLength: 40 }),
          message: Type.String({ minLength: 3, maxLength: 160 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const Rules = Type.Array(Rule, { maxItems: 100 });

const SubmitBody = Type.Object(
  {
    description: Type.String({ minLength: 1, maxLength: 500 }),
    mode: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('shadow')])),
    rules: Rules,
  },
  { additionalProperties: false },
);

const VerdictBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

const BacktestBody = Type.Object(
  {
    rules: Type.Optional(Rules),
    rule_set: Type.Optional(Type.String({ maxLength: 64, description: 'An rrs_ id.' })),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, description: 'Default 28.' })),
  },
  { additionalProperties: false },
);

const wireOperator = (id: string | null) => (id === null ? null : encodeId('opr', id));

function ruleSetView(s: RuleSetRecord, state: RulesState) {
  return {
    object: 'risk_rule_set' as const,
    id: encodeId('rrs', s.id),
    version: s.version,
    rules_version: `rs-${s.version}`,
    description: s.description,
    mode: s.mode,
    status: s.status,
    active:
      state.live === s.id ? ('live' as const) : state.shadow === s.id ? ('shadow' as const) : null,
    rules: s.rules,
    submitted_by: wireOperator(s.submittedBy),
    submitted_at: s.submittedAt.toISOString(),
    reviewed_by: wireOperator(s.reviewedBy),
    reviewed_at: s.reviewedAt?.toISOString() ?? null,
    review_note: s.reviewNote,
  };
}

/** Compiles submitted rules or answers 400 with the rule, the field and the position. */
function compiledOrRefused(rules: readonly RuleSource[]) {
  try {
    return compileRules(rules);
  } catch (error) {
    if (error instanceof RuleError)
      throw new KassaError('invalid_request', error.message, { param: error.param });
    throw error;
  }
}

/**
 * Risk rule sets (issue 15 §4), operator only. Maker-checker: a named operator submits a set,
 * a different one approves it, and approval puts it in force (live, or in shadow beside the
 * live set) in one statement; every process picks it up within seconds, without a restart.
 * Earlier approved versions can be activated again (rollback). Drafts are backtested on the
 * decisions of the last 28 days before anyone approves them. Every change is audited.
 */
export function ruleSetRoutes(deps: { db: Db; clock: Clock; risk: RiskEngine }) {
  const { db, clock } = deps;
  let backtesting = false;
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['admin'];

    async function audit(
      request: FastifyRequest,
      action: string,
      set: RuleSetRecord,
      details = {},
    ) {
      await recordAudit(
        db,
        {
          actor: operatorActor(request),
          action: `risk.rule_set.${action}`,
          object: `rule_set:${encodeId('rrs', set.id)}`,
          outcome: 'success',
          ip: request.ip,
          details: { version: set.version, mode: set.mode, ...details },
        },
        clock.now(),
      );
    }

    async function found(wire: string): Promise<RuleSetRecord> {
      const set = await getRuleSet(db.pool, idOrNotFound('rrs', wire));
      if (set === null) throw new KassaError('resource_not_found', undefined, { param: 'id' });
      return set;
    }

    async function answer(set: RuleSetRecord) {
      return ruleSetView(set, await rulesState(db.pool));
    }

    app.get(
      '/v1/admin/risk/rule_sets',
      {
        schema: {
          tags,
          summary: 'Rule sets, newest version first (operator)',
          querystring: ListQuery,
        },
      },
      async (request) => {
        requireFraudDesk(request);
        const limit = pageLimit(request.query.limit);
        const after =
          request.query.starting_after === undefined
            ? null
            : await found(request.query.starting_after);
        const sets = await listRuleSets(db.pool, limit + 1, after?.version ?? null);
        const state = await rulesState(db.pool);
        return {
          object: 'list' as const,
          data: sets.slice(0, limit).map((s) => ruleSetView(s, state)),
          has_more: sets.length > limit,
        };
      },
    );

    app.get(
      '/v1/admin/risk/rule_sets/:id',
      { schema: { tags, summary: 'One rule set (operator)', params: IdParams } },
      async (request) => {
        requireFraudDesk(request);
        return answer(await found(request.params.id));
      },
    );

    app.post(
      '/v1/admin/risk/rule_sets',
      {
        schema: {
          tags,
          summary: 'Submit a rule set for a second operator to approve (named operator)',
          body: SubmitBody,
        },
      },
      async (request, reply) => {
        const operatorId = requireNamedOperator(request);
        compiledOrRefused(request.body.rules);
        const set = await submitRuleSet(
          db.pool,
          {
            description: request.body.description,
            mode: request.body.mode ?? 'live',
            rules: request.body.rules,
            submittedBy: operatorId,
          },
          clock.now(),
        );
        await audit(request, 'submitted', set);
        return reply.code(201).send(await answer(set));
      },
    );

    for (const verdict of ['approve', 'reject'] as const) {
      app.post(
        `/v1/admin/risk/rule_sets/:id/${verdict}`,
        {
          schema: {
            tags,
            summary:
              verdict === 'approve'
                ? 'Approve a rule set: it goes live (or into shadow) at once (a second named operator)'
                : 'Reject a rule set (a second named operator)',
            params: IdParams,
            body: VerdictBody,
          },
        },
        async (request) => {
          const operatorId = requireNamedOperator(request);
          const pending = await found(request.params.id);
          if (pending.submittedBy === operatorId) throw new KassaError('self_approval');
          const outcome = await db.transaction((client) =>
            reviewRuleSet(
              client,
              {
                id: pending.id,
                verdict: verdict === 'approve' ? 'approved' : 'rejected',
                reviewedBy: operatorId,
                note: request.body.note ?? null,
              },
              clock.now(),
            ),
          );
          if (!outcome.ok)
            throw new KassaError(
              outcome.why === 'not_pending' ? 'rule_set_not_pending' : 'rule_set_stale',
            );
          deps.risk.rules.invalidate();
          await audit(request, verdict === 'approve' ? 'approved' : 'rejected', outcome.set);
          return answer(outcome.set);
        },
      );
    }

    app.post(
      '/v1/admin/risk/rule_sets/:id/resubmit',
      {
        schema: {
          tags,
          summary:
            'Submit an earlier version again, for a second operator to approve: a rollback (named operator)',
          params: IdParams,
        },
      },
      async (request, reply) => {
        const operatorId = requireNamedOperator(request);
        const earlier = await found(request.params.id);
        const set = await submitRuleSet(
          db.pool,
          {
            description: `Again: rs-${earlier.version} (${earlier.description})`.slice(0, 500),
            mode: earlier.mode,
            rules: earlier.rules,
            submittedBy: operatorId,
          },
          clock.now(),
        );
        await audit(request, 'submitted', set, { copy_of: `rs-${earlier.version}` });
        return reply.code(201).send(await answer(set));
      },
    );

    app.post(
      '/v1/admin/risk/rule_sets/:id/deactivate',
      {
        schema: {
          tags,
          summary:
            'Take a rule set out of force at once (an emergency stop; one named operator, alerted): live falls back to the built-in thresholds, shadow stops',
          params: IdParams,
        },
      },
      async (request) => {
        requireNamedOperator(request);
        const set = await found(request.params.id);
        if (!(await deactivateRuleSet(db.pool, set, clock.now())))
          throw new KassaError('rule_set_not_active');
        deps.risk.rules.invalidate();
        await audit(request, 'deactivated', set);
        await alertOperator(db.pool, {
          incident: `rule_set_deactivated:${set.id}:${clock.now().toISOString()}`,
          type: 'risk_rules_stopped',
          title: `Fraud rules rs-${set.version} stopped`,
          body: `${operatorActor(request)} took the ${set.mode} rule set rs-${set.version} out of force. ${set.mode === 'live' ? 'Only the built-in thresholds apply until another set is approved.' : 'Its shadow run ended.'}`,
          objectId: set.id,
        });
        return answer(set);
      },
    );

    app.get(
      '/v1/admin/risk/rule_sets/:id/shadow_report',
      {
        schema: {
          tags,
          summary: "A shadow rule set's would-be decisions against the live ones (operator)",
          params: IdParams,
        },
      },
      async (request) => {
        requireFraudDesk(request);
        const set = await found(request.params.id);
        return shadowReport(db.pool, `rs-${set.version}`, clock.now());
      },
    );

    app.post(
      '/v1/admin/risk/backtests',
      {
        schema: {
          tags,
          summary:
            'Replay the last days of decisions through draft rules or a stored rule set (operator)',
          body: BacktestBody,
        },
      },
      async (request) => {
        requireFraudDesk(request);
        const { rules, rule_set: ruleSet } = request.body;
        if ((rules === undefined) === (ruleSet === undefined))
          throw new KassaError('invalid_request', 'Send either rules or rule_set, not both.', {
            param: rules === undefined ? 'rules' : 'rule_set',
          });
        const set =
          rules === undefined
            ? activeRuleSet(await found(ruleSet as string))
            : { id: 'draft', label: 'draft', rules: compiledOrRefused(rules) };
        // One backtest at a time per process: each reads up to weeks of decisions.
        if (backtesting)
          throw new KassaError('rate_limited', 'A backtest is running; try again when it ends.', {
            retryAfterSeconds: 10,
          });
        backtesting = true;
        try {
          const to = clock.now();
          const days = request.body.days ?? 28;
          return await backtestRules(db.pool, set, {
            from: new Date(to.getTime() - days * 86_400_000),
            to,
            thresholds: deps.risk.thresholds,
            modelEnforced: deps.risk.models.promotedNow(),
          });
        } finally {
          backtesting = false;
        }
      },
    );
  };
}
