import { base64url, fromBase64url } from './base64url.ts';
import { canonicalJson } from './canonical-json.ts';
import type { OutboxRecord } from './outbox-record.ts';
import { outboxRouteOf } from './outbox-routes.ts';

const hmac = { name: 'HMAC', hash: 'SHA-256', length: 256 } as const;

/** The fields a record's MAC covers: everything the person reviewed, and nothing that changes. */
export type SealedFields = Pick<
  OutboxRecord,
  'kind' | 'body' | 'id' | 'owner' | 'idempotencyKey' | 'createdAt' | 'queuedOffline'
>;

/**
 * The install's key for outbox MACs. Non-extractable wherever the storage can keep a CryptoKey
 * (IndexedDB): script can use it but nobody can read it out of the browser's storage.
 */
export function createRecordKey(extractable: boolean): Promise<CryptoKey> {
  return crypto.subtle.generateKey(hmac, extractable, ['sign', 'verify']);
}

/** The canonical text a MAC is computed over (versioned, so the form can change later). */
function sealedText(record: SealedFields): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(
    canonicalJson({
      v: 'kassa-outbox-record/1',
      owner: record.owner,
      kind: record.kind,
      route: outboxRouteOf(record.kind),
      body: record.body,
      idempotency_key: record.idempotencyKey,
      id: record.id,
      created_at: record.createdAt,
      queued_offline: record.queuedOffline,
    }),
  );
}

/** The MAC of a record as the person reviewed it (made when it is queued). */
export async function recordMac(key: CryptoKey, record: SealedFields): Promise<string> {
  return base64url(await crypto.subtle.sign('HMAC', key, sealedText(record)));
}

/** Whether a stored record is still what was reviewed (compared in constant time by WebCrypto). */
export async function recordMacMatches(key: CryptoKey, record: OutboxRecord): Promise<boolean> {
  const mac = typeof record.mac === 'string' ? fromBase64url(record.mac) : null;
  if (mac === null || mac.length === 0) return false;
  try {
    return await crypto.subtle.verify('HMAC', key, mac, sealedText(record));
  } catch {
    // A body that cannot even be serialized (edited into something odd) is not what was reviewed.
    return false;
  }
}
