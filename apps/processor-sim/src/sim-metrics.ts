import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SimStats } from './processor-sim.ts';

/** The same latency buckets as Kassa's own (1 ms to 10 s). */
const latencyBucketsSeconds = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10,
];

/**
 * The stand-in's `/metrics` (open, like its `/admin/*`): requests by route and status, their
 * duration, the faults it injected, and Node's own metrics, all under `kassa_processor_sim_`.
 * Injected timeouts and dropped connections never answer, so they show only in the faults.
 */
export function addSimMetrics(app: FastifyInstance, stats: SimStats): void {
  const registry = new Registry();
  const prefix = 'kassa_processor_sim_';
  collectDefaultMetrics({ register: registry, prefix });
  // Gauges named `_total` fail `promtool check metrics`; the per-type gauges sum to the same.
  for (const name of ['active_handles', 'active_requests', 'active_resources'])
    registry.removeSingleMetric(`${prefix}nodejs_${name}_total`);
  const requests = new Counter({
    name: `${prefix}requests_total`,
    help: 'Requests the stand-in answered, by route, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${prefix}request_duration_seconds`,
    help: 'Time the stand-in took to answer (injected latency included), by route and method.',
    labelNames: ['route', 'method'] as const,
    buckets: latencyBucketsSeconds,
    registers: [registry],
  });
  new Counter({
    name: `${prefix}faults_injected_total`,
    help: 'Faults the stand-in injected, by kind (error, timeout, lost_reply).',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ kind: 'error' }, stats.errors_injected);
      this.inc({ kind: 'timeout' }, stats.timeouts_injected);
      this.inc({ kind: 'lost_reply' }, stats.lost_replies_injected);
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    duration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}
