import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { resolve } from 'node:path';
import { importPrivateJwk, type StoredDevice } from './device-key.ts';
import { documentStorage, emptyDocument, type SdkDocument } from './document-storage.ts';
import { isLegacyState, migrateLegacyState } from './legacy-state.ts';
import type { OutboxRecord } from './outbox-record.ts';
import type { SdkStorage, StoredSession } from './storage.ts';

/** The file's shape: keys as JWK, since a JSON file cannot hold a CryptoKey. */
interface StateFile {
  readonly version: 2;
  readonly session: StoredSession | null;
  readonly devices: Record<string, Omit<StoredDevice, 'privateKey'> & { privateJwk: JsonWebKey }>;
  readonly recordKeyJwk: JsonWebKey | null;
  readonly records: Record<string, OutboxRecord>;
}

async function fromFile(file: StateFile): Promise<SdkDocument> {
  const devices: Record<string, StoredDevice> = {};
  for (const [owner, { privateJwk, ...device }] of Object.entries(file.devices))
    devices[owner] = { ...device, privateKey: await importPrivateJwk(privateJwk, true) };
  const recordKey =
    file.recordKeyJwk === null
      ? null
      : await crypto.subtle.importKey(
          'jwk',
          file.recordKeyJwk,
          { name: 'HMAC', hash: 'SHA-256' },
          true,
          ['sign', 'verify'],
        );
  return { session: file.session, devices, recordKey, records: file.records };
}

async function toFile(document: SdkDocument): Promise<StateFile> {
  const devices: StateFile['devices'] = {};
  for (const [owner, { privateKey, ...device }] of Object.entries(document.devices))
    devices[owner] = { ...device, privateJwk: await crypto.subtle.exportKey('jwk', privateKey) };
  const recordKeyJwk =
    document.recordKey === null ? null : await crypto.subtle.exportKey('jwk', document.recordKey);
  return {
    version: 2,
    session: document.session,
    devices,
    recordKeyJwk,
    records: document.records,
  };
}

async function load(path: string): Promise<SdkDocument> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyDocument;
    throw error;
  }
  if (!isLegacyState(parsed)) return fromFile(parsed as StateFile);
  const { session, device, records } = await migrateLegacyState(parsed, true);
  return {
    session,
    devices: device === null ? {} : { [device.owner]: device },
    recordKey: null,
    records: Object.fromEntries(records.map((r) => [r.id, r])),
  };
}

/**
 * Node.js storage: the state as one JSON file, replaced atomically (write a temporary file,
 * fsync it, rename it over the old one), so a crash at any moment leaves the old or the new
 * state, never half of one. One process per file: changes are serialized within the process.
 *
 * Weaker mode: a file holds text, so the device's private key and the key that seals outbox
 * records are kept in it as JWK (extractable keys), readable by anyone who can read the file
 * (mode 0600). IndexedDB keeps them as non-extractable CryptoKeys instead.
 */
export function fileStorage(path: string): SdkStorage {
  return documentStorage({
    scope: `file:${resolve(path)}`,
    keysExtractable: true,
    load: () => load(path),
    async persist(document) {
      const text = JSON.stringify(await toFile(document));
      const temporary = `${path}.${process.pid}.tmp`;
      const fd = openSync(temporary, 'w', 0o600);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      await rename(temporary, path);
    },
  });
}
