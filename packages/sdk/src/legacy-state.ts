import { importPrivateJwk, type StoredDevice } from './device-key.ts';
import type { OutboxRecord } from './outbox-record.ts';
import type { StoredSession } from './storage.ts';
import { tokenSubject } from './token-subject.ts';
import type { SessionTokens } from './types.ts';

/**
 * What earlier versions of the SDK stored (IndexedDB version 1, or a file without `version`):
 * one state object, with the device's private key as a JWK.
 */
export interface LegacyState {
  readonly records?: Readonly<Record<string, object>>;
  readonly session?: (SessionTokens & { readonly expires_at_ms: number }) | null;
  readonly device?: { readonly id: string; readonly privateJwk: JsonWebKey } | null;
}

export function isLegacyState(value: unknown): value is LegacyState {
  return (
    typeof value === 'object' &&
    value !== null &&
    !('version' in value) &&
    ('records' in value || 'session' in value || 'device' in value)
  );
}

/** The old device key as a CryptoKey; null when there is none or it no longer imports. */
async function legacyDevice(
  device: LegacyState['device'],
  owner: string,
  keysExtractable: boolean,
): Promise<StoredDevice | null> {
  if (device === undefined || device === null) return null;
  try {
    const privateKey = await importPrivateJwk(device.privateJwk, keysExtractable);
    return { id: device.id, owner, email: null, privateKey };
  } catch {
    return null;
  }
}

/**
 * Moves the state of earlier versions to the current shape, once. The session and the device
 * key go to the user the session's access token names (a device key with no session to name its
 * user is dropped: it cannot be told whose it is; the person enrolls again). The private JWK is
 * imported as a CryptoKey (non-extractable unless the storage can only keep extractable keys)
 * and dropped. Old records carry no MAC: an unsent one is refused at send time, never sent
 * unchecked.
 */
export async function migrateLegacyState(
  legacy: LegacyState,
  keysExtractable: boolean,
): Promise<{
  session: StoredSession | null;
  device: StoredDevice | null;
  records: OutboxRecord[];
}> {
  const session = legacy.session ?? null;
  const owner = session === null ? null : tokenSubject(session.access_token);
  const records = Object.values(legacy.records ?? {}).map((old): OutboxRecord => {
    // The stored `path` is dropped: routes come from the allow-list (outbox-routes.ts).
    const rest = Object.fromEntries(Object.entries(old).filter(([name]) => name !== 'path'));
    return { ...(rest as OutboxRecord), owner: owner ?? '', queuedOffline: true, mac: '' };
  });
  return {
    session:
      session === null || owner === null ? null : { ...session, user_id: owner, email: null },
    device: owner === null ? null : await legacyDevice(legacy.device, owner, keysExtractable),
    records,
  };
}
