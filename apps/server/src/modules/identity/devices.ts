import {
  createHash,
  createHmac,
  createPublicKey,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { decodeId, encodeId, newUuid } from '../../kernel/ids.ts';
import type { Db, Queryable } from '../../platform/db.ts';
import { appendPublicEvents } from '../events/index.ts';

/** How long a signature stays fresh; older or future ones are refused. */
export const signatureFreshnessSeconds = 300;

interface DeviceRow {
  id: string;
  name: string;
  trusted: boolean;
  key_algorithm: string;
  created_at: Date;
}

const deviceColumns = 'id, name, trusted, key_algorithm, created_at';

export async function listDevices(q: Queryable, userId: string) {
  const rows = await q.query<DeviceRow>(
    `select ${deviceColumns} from devices where user_id = $1 order by id desc limit 100`,
    [userId],
  );
  return rows.rows.map(deviceView);
}

export function deviceView(row: DeviceRow) {
  return {
    id: encodeId('dev', row.id),
    object: 'device' as const,
    name: row.name,
    trusted: row.trusted,
    key_algorithm: row.key_algorithm,
    created_at: row.created_at.toISOString(),
  };
}

/** Accepts a P-256 (ES256) or Ed25519 (EdDSA) public key as a JWK; anything else is refused. */
export function importDeviceKey(jwk: Record<string, unknown>): {
  key: KeyObject;
  algorithm: 'ES256' | 'EdDSA';
} {
  const algorithm =
    jwk['kty'] === 'EC' && jwk['crv'] === 'P-256'
      ? 'ES256'
      : jwk['kty'] === 'OKP' && jwk['crv'] === 'Ed25519'
        ? 'EdDSA'
        : null;
  if (algorithm === null || 'd' in jwk)
    throw new KassaError('invalid_device_key', undefined, { param: 'public_key' });
  try {
    return { key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }), algorithm };
  } catch (error) {
    throw new KassaError('invalid_device_key', undefined, { param: 'public_key', cause: error });
  }
}

/** The bytes a device signs: method, path, body hash, timestamp and idempotency key. */
export function signingInput(parts: {
  method: string;
  path: string;
  body: string;
  timestamp: string;
  idempotencyKey: string;
}): Buffer {
  const bodyHash = createHash('sha256').update(parts.body).digest('hex');
  return Buffer.from(
    [parts.method.toUpperCase(), parts.path, bodyHash, parts.timestamp, parts.idempotencyKey].join(
      '\n',
    ),
  );
}

/**
 * Enrolls a device and announces it (`device.added`) in the same transaction. A user's first
 * device is trusted; later ones need a 2FA confirmation.
 */
export async function enrollDevice(
  db: Db,
  userId: string,
  input: { name: string; publicKey: Record<string, unknown>; fingerprint: Record<string, unknown> },
) {
  const { algorithm } = importDeviceKey(input.publicKey);
  const id = newUuid();
  return db.transaction(async (client) => {
    const device = await insertDevice(client, id, userId, algorithm, input);
    await appendPublicEvents(client, [
      {
        type: 'device.added',
        object: { ...device, name: input.name },
        userIds: [userId],
        merchantId: null,
      },
    ]);
    return device;
  });
}

async function insertDevice(
  db: Queryable,
  id: string,
  userId: string,
  algorithm: string,
  input: { name: string; publicKey: Record<string, unknown>; fingerprint: Record<string, unknown> },
) {
  const rows = await db.query<DeviceRow>(
    `insert into devices (id, user_id, name, public_key, key_algorithm, fingerprint, trusted)
     values ($1, $2, $3, $4, $5, $6, not exists (select 1 from devices where user_id = $2))
     returning ${deviceColumns}`,
    [
      id,
      userId,
      input.name,
      JSON.stringify(input.publicKey),
      algorithm,
      JSON.stringify(input.fingerprint),
    ],
  );
  return deviceView(rows.rows[0]!);
}

export async function trustDevice(
  q: Queryable,
  userId: string,
  deviceId: string,
): Promise<boolean> {
  const rows = await q.query('update devices set trusted = true where id = $1 and user_id = $2', [
    deviceId,
    userId,
  ]);
  return rows.rowCount === 1;
}

/**
 * Verifies a device signature on a request: the device must belong to the caller, the timestamp
 * must be within the freshness window, the signature must verify, and it must not have been
 * seen before. Returns whether the device is trusted.
 */
export async function verifyDeviceSignature(
  db: Db,
  clock: Clock,
  /** Keys the replay record: the signed input holds a digest of the raw body (card data…). */
  replayKey: Buffer,
  input: {
    userId: string;
    deviceWireId: string;
    signatureHeader: string;
    method: string;
    path: string;
    body: string;
    idempotencyKey: string;
  },
): Promise<{ deviceId: string; trusted: boolean }> {
  const deviceId = decodeId('dev', input.deviceWireId);
  const match = /^t=([0-9]{1,12}),sig=([A-Za-z0-9_-]{20,200})$/.exec(input.signatureHeader);
  if (deviceId === null || match === null) throw new KassaError('invalid_device_signature');
  const [, timestamp = '', signature = ''] = match;
  const nowSeconds = Math.floor(clock.now().getTime() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > signatureFreshnessSeconds)
    throw new KassaError(
      'invalid_device_signature',
      'The request signature is stale. Check the device clock and sign again.',
    );
  const rows = await db.query<{ public_key: Record<string, unknown>; trusted: boolean }>(
    'select public_key, trusted from devices where id = $1 and user_id = $2',
    [deviceId, input.userId],
  );
  const row = rows[0];
  if (row === undefined) throw new KassaError('invalid_device_signature');
  const { key, algorithm } = importDeviceKey(row.public_key);
  const data = signingInput({
    method: input.method,
    path: input.path,
    body: input.body,
    timestamp,
    idempotencyKey: input.idempotencyKey,
  });
  const signatureBytes = Buffer.from(signature, 'base64url');
  const valid =
    algorithm === 'ES256'
      ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signatureBytes)
      : verify(null, data, key, signatureBytes);
  if (!valid) throw new KassaError('invalid_device_signature');
  // Replay is keyed on what was signed, not on the signature's bytes: an ECDSA signature has a
  // second valid form (s and n − s), which would otherwise pass as new. The record is an HMAC:
  // what was signed includes the SHA-256 of the raw body, which may hold a card number.
  const seen = await db.query(
    `insert into device_signatures_seen (signature_sha256, device_id, seen_at) values ($1, $2, $3) on conflict do nothing returning 1`,
    [
      createHmac('sha256', replayKey).update(deviceId).update('\n').update(data).digest(),
      deviceId,
      clock.now().toISOString(),
    ],
  );
  if (seen.length === 0)
    throw new KassaError(
      'invalid_device_signature',
      'This signed request was already used. Sign each request anew.',
    );
  await db.query('update devices set last_seen_at = $2 where id = $1', [
    deviceId,
    clock.now().toISOString(),
  ]);
  return { deviceId, trusted: row.trusted };
}

/** Forgets replay records older than any signature could still be fresh; returns how many. */
export async function reapSeenSignatures(q: Queryable, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - 2 * signatureFreshnessSeconds * 1000);
  const result = await q.query('delete from device_signatures_seen where seen_at < $1', [cutoff]);
  return result.rowCount ?? 0;
}
