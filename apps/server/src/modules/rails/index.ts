export { createRails, type Rails } from './rails-flows.ts';
export { railsRoutes } from './routes.ts';
export { createProcessorClient, type ProcessorClient } from './processor-client.ts';
export { reconcile, type ReconciliationReport } from './reconcile.ts';
export {
  countUnfinishedFlows,
  flowSealedColumns,
  oldestOutcomeUnknownAgeSeconds,
} from './flow-store.ts';
