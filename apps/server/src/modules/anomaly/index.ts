export {
  createAnomalyMonitor,
  defaultMonitorSettings,
  type AnomalyMonitor,
  type AnomalyMonitorSettings,
} from './anomaly-monitor.ts';
export { registerAnomalyMetrics } from './anomaly-metrics.ts';
export { openAnomalies, type OpenAnomaly } from './anomaly-store.ts';
export { createOpsWebhook, type OpsWebhook } from './ops-webhook.ts';
export { anomalySignals, type AnomalySignal } from './domain/anomaly-signals.ts';
export { defaultDetectorSettings, type DetectorSettings } from './domain/detector-settings.ts';
export { replayAnomalies, type ReplayReport } from './domain/anomaly-replay.ts';
export {
  busyFloorPerMinute,
  summarizeReplay,
  type IncidentStats,
  type ReplaySummary,
} from './domain/replay-summary.ts';
export { incidentKinds, type Incident } from './domain/synthetic-incidents.ts';
