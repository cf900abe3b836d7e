import { Gauge, type Registry } from 'prom-client';
import type { Queryable } from '../../platform/db.ts';
import { openAnomalies } from './anomaly-store.ts';

/**
 * `kassa_anomaly_active{slice,signal}`: 1 for every business-slice anomaly open now, read from
 * the database when scraped, so every process reports the same (rules take their max). A
 * cleared anomaly's series disappears.
 */
export function registerAnomalyMetrics(registry: Registry, db: Queryable): void {
  new Gauge({
    name: 'kassa_anomaly_active',
    help: 'Business-slice anomalies open now (1), by slice (kind/merchant/currency, or processor) and signal.',
    labelNames: ['slice', 'signal'] as const,
    registers: [registry],
    async collect() {
      const open = await openAnomalies(db);
      this.reset();
      for (const anomaly of open) this.set({ slice: anomaly.slice, signal: anomaly.signal }, 1);
    },
  });
}
