import type { DeviceIdentity } from './device-key.ts';
import type { OutboxRecord } from './outbox-record.ts';
import type { SessionTokens } from './types.ts';

/** What the SDK keeps on the device: the outbox, the session and the device key. */
export interface SdkState {
  readonly records: Readonly<Record<string, OutboxRecord>>;
  readonly session: (SessionTokens & { readonly expires_at_ms: number }) | null;
  readonly device: DeviceIdentity | null;
}

/**
 * Durable storage for the SDK. Every change is written (and, where the platform allows, flushed
 * to disk) before the SDK acts on it: a payment's key is stored before its first send.
 */
export interface SdkStorage {
  load(): Promise<SdkState>;
  /** Replaces what is stored; resolves once it is durable. */
  save(state: SdkState): Promise<void>;
}

export const emptyState: SdkState = { records: {}, session: null, device: null };

/** Keeps nothing across restarts: tests and server-side scripts. */
export function memoryStorage(): SdkStorage {
  let state = emptyState;
  return {
    load: async () => structuredClone(state),
    save: async (next) => {
      state = structuredClone(next);
    },
  };
}
