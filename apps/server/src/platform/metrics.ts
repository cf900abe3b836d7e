import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { performance } from 'node:perf_hooks';

/**
 * Latency buckets for anything a payment waits on: 1 ms to 10 s, with 300 ms as a bucket edge
 * because the latency SLO counts requests under it (docs/observability.md).
 */
export const latencyBucketsSeconds = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10,
] as const;

/**
 * Node's own metrics (`kassa_process_cpu_seconds_total`, `kassa_nodejs_heap_size_used_bytes`, …).
 * The library names them `process_…` and `nodejs_…` itself, so the prefix is `kassa_` alone.
 * Its three `nodejs_active_*_total` gauges are dropped: a gauge named `_total` fails
 * `promtool check metrics`, and the per-type `kassa_nodejs_active_*` gauges sum to the same.
 */
function registerProcessMetrics(registry: Registry): void {
  const prefix = 'kassa_';
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of ['active_handles', 'active_requests', 'active_resources'])
    registry.removeSingleMetric(`${prefix}nodejs_${name}_total`);
}

/** Prometheus metrics, named `kassa_<subsystem>_<name>_<unit>` (shared/CONVENTIONS.md). */
export function createMetrics() {
  const registry = new Registry();
  registerProcessMetrics(registry);
  let eventLoopAtLastScrape = performance.eventLoopUtilization();
  return {
    registry,
    // What the cluster's autoscaler reads (with the request-duration p99).
    eventLoopUtilization: new Gauge({
      name: 'kassa_event_loop_utilization_ratio',
      help: 'Share of time the event loop was busy since the previous scrape (0 to 1).',
      registers: [registry],
      collect() {
        const now = performance.eventLoopUtilization();
        this.set(performance.eventLoopUtilization(now, eventLoopAtLastScrape).utilization);
        eventLoopAtLastScrape = now;
      },
    }),
    httpRequests: new Counter({
      name: 'kassa_http_requests_total',
      help: 'HTTP requests by route, method and status code.',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'kassa_http_request_duration_seconds',
      help: 'HTTP request duration by route and method.',
      labelNames: ['route', 'method'] as const,
      buckets: [...latencyBucketsSeconds],
      registers: [registry],
    }),
    httpInFlight: new Gauge({
      name: 'kassa_http_in_flight_requests',
      help: 'Requests this process is working on now (load shedding starts at HTTP_IN_FLIGHT_MAX).',
      registers: [registry],
    }),
    requestsShed: new Counter({
      name: 'kassa_requests_shed_total',
      help: 'Requests refused at once (503, nothing moved) because the process or its ledger queue was full.',
      registers: [registry],
    }),
    ledgerQueue: new Gauge({
      name: 'kassa_ledger_queue_commands',
      help: 'Money commands waiting for a ledger batch (bounded by LEDGER_QUEUE_MAX).',
      registers: [registry],
    }),
    payments: new Counter({
      name: 'kassa_payments_total',
      help: 'Money-moving requests by kind and outcome (succeeded, declined code, replayed).',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    riskDecisions: new Counter({
      name: 'kassa_risk_decisions_total',
      help: 'Risk decisions that applied, by movement kind and decision.',
      labelNames: ['kind', 'decision'] as const,
      registers: [registry],
    }),
    riskFailures: new Counter({
      name: 'kassa_risk_failures_total',
      help: 'Risk scorings that failed or timed out, by kind and the failure policy applied.',
      labelNames: ['kind', 'policy'] as const,
      registers: [registry],
    }),
    riskReasons: new Counter({
      name: 'kassa_risk_reasons_total',
      help: 'Reasons given with enforced risk decisions other than allow (a rule, a signal, a list).',
      labelNames: ['decision', 'reason'] as const,
      registers: [registry],
    }),
    riskDecisionSeconds: new Histogram({
      name: 'kassa_risk_decision_seconds',
      help: 'Time to decide a movement: features, model and rules (successful decisions).',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    riskScore: new Histogram({
      name: 'kassa_risk_score',
      help: 'Risk scores (0-99) of scored movements (the distribution drift is watched on it).',
      buckets: [10, 20, 30, 40, 50, 60, 65, 70, 75, 80, 90],
      registers: [registry],
    }),
    ledgerBatchSize: new Histogram({
      name: 'kassa_ledger_batch_size_commands',
      help: 'Commands committed per ledger transaction.',
      labelNames: ['outcome'] as const,
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers: [registry],
    }),
    ledgerBatchDuration: new Histogram({
      name: 'kassa_ledger_batch_duration_seconds',
      help: 'Wall time of one ledger transaction.',
      buckets: [...latencyBucketsSeconds],
      registers: [registry],
    }),
    processorCalls: new Counter({
      name: 'kassa_processor_calls_total',
      help: 'Processor calls by operation and outcome (answered, breaker_open), and their attempts (error, timeout, lost, hedged).',
      labelNames: ['operation', 'outcome'] as const,
      registers: [registry],
    }),
    processorCallDuration: new Histogram({
      name: 'kassa_processor_call_duration_seconds',
      help: 'Wall time of one processor call attempt.',
      labelNames: ['operation'] as const,
      buckets: [...latencyBucketsSeconds],
      registers: [registry],
    }),
    processorCircuitState: new Gauge({
      name: 'kassa_processor_circuit_state',
      help: 'The processor circuit breaker in this process: 0 closed, 1 half-open, 2 open.',
      registers: [registry],
    }),
    processorFlowsUnfinished: new Gauge({
      name: 'kassa_processor_flows_unfinished',
      help: 'Top-ups and payouts not yet finished (processing or outcome_unknown), as of the last worker pass.',
      registers: [registry],
    }),
    // Outcome-unknown SLO: 99% resolved within 5 minutes (a bucket edge at 300 s).
    processorOutcomeUnknownResolution: new Histogram({
      name: 'kassa_processor_outcome_unknown_resolution_seconds',
      help: 'From a top-up or payout becoming outcome_unknown to its definite outcome, by kind.',
      labelNames: ['kind'] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1_800, 3_600, 21_600],
      registers: [registry],
    }),
    // Webhook SLO: 99% of first attempts within 60 s of the event (a bucket edge at 60 s).
    webhookFirstAttemptDelay: new Histogram({
      name: 'kassa_webhook_first_attempt_delay_seconds',
      help: 'From an event being committed to the first attempt to deliver it to an endpoint.',
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3_600],
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'kassa_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome (delivered, retrying, dead).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    jetstreamMessagesParked: new Counter({
      name: 'kassa_jetstream_messages_parked_total',
      help: 'JetStream messages a consumer refused as they came (forged, tampered or malformed), by consumer and reason.',
      labelNames: ['consumer', 'reason'] as const,
      registers: [registry],
    }),
    outboxEventsCaughtUp: new Counter({
      name: 'kassa_outbox_caught_up_events_total',
      help: 'Events a JetStream consumer read from the outbox because no message brought them in time.',
      labelNames: ['consumer'] as const,
      registers: [registry],
    }),
    reconciliationMismatches: new Gauge({
      name: 'kassa_reconciliation_mismatches',
      help: 'Mismatches between the ledger and the processor settlement report in the last run.',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
