export {
  createKassaClient,
  type KassaClient,
  type KassaClientOptions,
  type LogInResult,
} from './client.ts';
export { KassaApiError, KassaNetworkError, OfflineLimitError } from './errors.ts';
export type { OutboxRecord, OutboxState } from './outbox-record.ts';
export { memoryStorage, type SdkState, type SdkStorage } from './storage.ts';
export { indexedDbStorage } from './indexeddb-storage.ts';
export { defaultRetryPolicy, type RetryPolicy } from './retry.ts';
export type * from './types.ts';
