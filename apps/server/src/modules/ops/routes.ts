import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import { requireOperator } from '../../platform/request-context.ts';
import type { Db } from '../../platform/db.ts';
import type { Metrics } from '../../platform/metrics.ts';
import { outboxLag } from '../events/index.ts';
import { oldestOutcomeUnknownAgeSeconds } from '../rails/index.ts';

export interface OpsDeps {
  readonly db: Db;
  readonly metrics: Metrics;
  readonly readinessTimeoutMs: number;
  /** Whose outbox lag to report: the consumers, and the JetStream publisher when NATS is on. */
  readonly outboxReaders: readonly string[];
  /** False while shutting down, so the load balancer stops sending new work first. */
  readonly accepting: () => boolean;
  /**
   * The processor circuit in this process. An open circuit degrades top-ups and payouts only,
   * so it is reported but does not make the node unready (wallets and P2P keep working).
   */
  readonly processorCircuit: () => 'closed' | 'open' | 'half_open' | 'not_configured';
  /** Whether Redis is in use (null: not configured). Away, it degrades speed, never readiness. */
  readonly redisHealthy: () => boolean | null;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `/livez` (the process answers), `/readyz` (dependencies answer in time) and `/metrics`. */
export function opsRoutes(deps: OpsDeps) {
  new Gauge({
    name: 'kassa_ledger_imbalance_minor',
    help: 'Σdebits − Σcredits over all accounts, per currency and kind (posted, pending). Anything but 0 is a bug.',
    labelNames: ['currency', 'kind'] as const,
    registers: [deps.metrics.registry],
    async collect() {
      const rows = await deps.db.query<{ currency: string; posted: string; pending: string }>(
        `select currency, (sum(debits_posted) - sum(credits_posted))::text as posted,
                (sum(debits_pending) - sum(credits_pending))::text as pending
           from ledger_accounts group by currency`,
      );
      this.reset();
      for (const row of rows) {
        this.set({ currency: row.currency, kind: 'posted' }, Number(row.posted));
        this.set({ currency: row.currency, kind: 'pending' }, Number(row.pending));
      }
    },
  });
  new Gauge({
    name: 'kassa_outbox_lag_events',
    help: 'Events committed to the outbox and not yet handled, per consumer.',
    labelNames: ['consumer'] as const,
    registers: [deps.metrics.registry],
    async collect() {
      const lag = await outboxLag(deps.db.pool, deps.outboxReaders);
      for (const [consumer, n] of lag) this.set({ consumer }, n);
    },
  });
  // Read at scrape time, so it grows while no worker runs to resolve anything.
  new Gauge({
    name: 'kassa_processor_outcome_unknown_oldest_age_seconds',
    help: 'How long the oldest top-up or payout still outcome_unknown has been so (0: none is).',
    registers: [deps.metrics.registry],
    async collect() {
      this.set(await oldestOutcomeUnknownAgeSeconds(deps.db.pool));
    },
  });
  new Gauge({
    name: 'kassa_webhook_backlog',
    help: 'Webhook deliveries waiting (pending) or given up (dead).',
    labelNames: ['status'] as const,
    registers: [deps.metrics.registry],
    async collect() {
      const rows = await deps.db.query<{ status: string; n: string }>(
        `select s.status, (select count(*) from webhook_deliveries d where d.status = s.status)::text as n
           from unnest(array['pending', 'dead']) as s(status)`,
      );
      for (const row of rows) this.set({ status: row.status }, Number(row.n));
    },
  });
  new Gauge({
    name: 'kassa_db_pool_connections',
    help: 'PostgreSQL pool connections by state.',
    labelNames: ['state'] as const,
    registers: [deps.metrics.registry],
    collect() {
      this.set({ state: 'total' }, deps.db.pool.totalCount);
      this.set({ state: 'idle' }, deps.db.pool.idleCount);
      this.set({ state: 'waiting' }, deps.db.pool.waitingCount);
    },
  });

  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get(
      '/livez',
      {
        config: { public: true },
        schema: { tags: ['operations'], summary: 'Liveness: the process is running', security: [] },
      },
      async () => ({ status: 'ok' }),
    );

    app.get(
      '/readyz',
      {
        config: { public: true },
        schema: {
          tags: ['operations'],
          summary:
            'Readiness: dependencies answer in time; `degraded` lists features that are off (an open processor circuit)',
          security: [],
        },
      },
      async (_request, reply) => {
        const checks: Record<
          string,
          { status: 'ok' | 'failed'; latency_ms: number; error?: string }
        > = {};
        const circuit = deps.processorCircuit();
        const started = performance.now();
        try {
          // A standby answers `select 1` too: a node Kassa cannot write to is not ready.
          const [node] = await withTimeout(
            deps.db.query<{ standby: boolean }>('select pg_is_in_recovery() as standby'),
            deps.readinessTimeoutMs,
          );
          if (node?.standby === true) throw new Error('the database is a read-only standby');
          checks['postgres'] = {
            status: 'ok',
            latency_ms: Math.round(performance.now() - started),
          };
        } catch (error) {
          checks['postgres'] = {
            status: 'failed',
            latency_ms: Math.round(performance.now() - started),
            error: (error as Error).message,
          };
        }
        const ready = deps.accepting() && Object.values(checks).every((c) => c.status === 'ok');
        if (!ready) void reply.header('Retry-After', '1');
        return reply.code(ready ? 200 : 503).send({
          status: ready ? 'ready' : 'not_ready',
          accepting: deps.accepting(),
          checks,
          degraded: [
            ...(circuit === 'open' ? ['processor'] : []),
            ...(deps.redisHealthy() === false ? ['redis'] : []),
          ],
          processor: { circuit },
        });
      },
    );

    app.get(
      '/metrics',
      {
        schema: {
          tags: ['operations'],
          summary: 'Prometheus metrics (the operator key: they describe the business)',
        },
      },
      async (request, reply) => {
        requireOperator(request);
        const body = await deps.metrics.registry.metrics();
        return reply.type(deps.metrics.registry.contentType).send(body);
      },
    );
  };
}
