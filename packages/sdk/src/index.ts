export {
  createKassaClient,
  type KassaClient,
  type KassaClientOptions,
  type LogInResult,
} from './client.ts';
export { KassaApiError, KassaNetworkError, OfflineLimitError } from './errors.ts';
export type { OutboxRecord, OutboxState } from './outbox-record.ts';
export { outboxRefusals, type OutboxRefusal } from './outbox-guard.ts';
export { outboxRoutes } from './outbox-routes.ts';
export type { SdkStorage, StoredSession } from './storage.ts';
export type { StoredDevice } from './device-key.ts';
export { memoryStorage } from './memory-storage.ts';
export { indexedDbStorage } from './indexeddb-storage.ts';
export { defaultRetryPolicy, type RetryPolicy } from './retry.ts';
export type * from './types.ts';
