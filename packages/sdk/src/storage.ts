import type { StoredDevice } from './device-key.ts';
import type { OutboxRecord } from './outbox-record.ts';
import type { SessionTokens } from './types.ts';

/** The signed-in user's session as the device keeps it. */
export interface StoredSession extends SessionTokens {
  readonly expires_at_ms: number;
  /** The user it was issued to (the access token's subject): their queue and device key apply. */
  readonly user_id: string;
  /** The email typed at log-in (null when unknown), kept with the device key to name it. */
  readonly email: string | null;
}

/**
 * Durable storage for the SDK: the session, one device key per user, the key that seals outbox
 * records, and the outbox records, each on its own so that two tabs never overwrite each other's
 * changes. Every write resolves once it is durable; a payment's key is stored before its first
 * send. Read-modify-writes (`swapSession`, `insertRecord`, `updateRecord`, `recordKey`) are
 * atomic: one transaction in IndexedDB.
 */
export interface SdkStorage {
  /** Names what is stored, for the locks and change notices tabs share (same data, same scope). */
  readonly scope: string;
  /**
   * Whether the keys it keeps must be extractable. True only where a key has to be written out as
   * text (a JSON file: the weaker mode); IndexedDB and memory keep non-extractable CryptoKeys.
   */
  readonly keysExtractable: boolean;
  readSession(): Promise<StoredSession | null>;
  /** Replaces the session whatever it was (log-in, log-out). */
  writeSession(next: StoredSession | null): Promise<void>;
  /**
   * Replaces the session only if the stored one still has the refresh token `expected`; answers
   * whether it did (a log-out or another tab's refresh in between wins).
   */
  swapSession(expected: string, next: StoredSession | null): Promise<boolean>;
  readDevices(): Promise<StoredDevice[]>;
  /** Stores (or, with null, forgets) the device key of `owner`. */
  writeDevice(owner: string, device: StoredDevice | null): Promise<void>;
  /** The key that seals outbox records; made by `make` the first time, once across tabs. */
  recordKey(make: () => Promise<CryptoKey>): Promise<CryptoKey>;
  readRecords(): Promise<OutboxRecord[]>;
  /**
   * Adds `record` if `admit` accepts the records its owner already has stored, in the same
   * transaction (so two tabs cannot both squeeze under the offline limit); answers whether it did.
   */
  insertRecord(
    record: OutboxRecord,
    admit: (owned: readonly OutboxRecord[]) => boolean,
  ): Promise<boolean>;
  /** Applies `change` to the stored record in one transaction: the new record, or null if none. */
  updateRecord(
    id: string,
    change: (record: OutboxRecord) => OutboxRecord,
  ): Promise<OutboxRecord | null>;
  deleteRecords(ids: readonly string[]): Promise<void>;
  /** Calls `listener` after another tab, worker or client changed what is stored. */
  watch(listener: () => void): () => void;
}
