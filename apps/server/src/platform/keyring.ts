import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Kassa's data keys, kept outside the database: a JSON key file (mode 0600) or its content in
 * the environment (`KASSA_VAULT_KEY_FILE` / `KASSA_VAULT_KEYS`). `current` names the
 * key-encryption key (KEK) that wraps new card data keys and seals new small secrets (TOTP seeds,
 * webhook signing secrets, bank accounts); older versions stay until `kassa keys rotate` has
 * re-wrapped and re-sealed everything. The fingerprint key is separate and never rotates
 * (fingerprints must stay comparable); the lookup key, derived from it under its own label,
 * keys every other digest of a secret (request fingerprints, recovery codes) so that no digest
 * in the database can be brute-forced without a key the database does not hold.
 */
export interface Keyring {
  readonly current: string;
  readonly keks: ReadonlyMap<string, Buffer>;
  readonly fingerprintKey: Buffer;
  readonly lookupKey: Buffer;
}

function lookupKeyOf(fingerprintKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', fingerprintKey, Buffer.alloc(0), 'kassa:lookup-key', 32));
}

interface KeyringFile {
  current: string;
  keks: Record<string, string>;
  fingerprint_key: string;
}

function parse(text: string, source: string): Keyring {
  const json = JSON.parse(text) as KeyringFile;
  const keks = new Map(
    Object.entries(json.keks).map(([version, key]) => [version, Buffer.from(key, 'base64')]),
  );
  const fingerprintKey = Buffer.from(json.fingerprint_key, 'base64');
  if (!keks.has(json.current)) throw new Error(`${source}: current key ${json.current} is missing`);
  for (const [version, key] of keks)
    if (key.length !== 32) throw new Error(`${source}: key ${version} is not 32 bytes`);
  if (fingerprintKey.length !== 32) throw new Error(`${source}: fingerprint_key is not 32 bytes`);
  return { current: json.current, keks, fingerprintKey, lookupKey: lookupKeyOf(fingerprintKey) };
}

function serialize(keys: Keyring): string {
  const file: KeyringFile = {
    current: keys.current,
    keks: Object.fromEntries(
      [...keys.keks].map(([version, key]) => [version, key.toString('base64')]),
    ),
    fingerprint_key: keys.fingerprintKey.toString('base64'),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Loads the key file, creating one with a first KEK when it does not exist yet. */
export function loadKeyring(file: string): Keyring {
  if (!existsSync(file)) {
    const fingerprintKey = randomBytes(32);
    const keys: Keyring = {
      current: 'v1',
      keks: new Map([['v1', randomBytes(32)]]),
      fingerprintKey,
      lookupKey: lookupKeyOf(fingerprintKey),
    };
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, serialize(keys), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as { code?: string }).code === 'EEXIST')
        return parse(readFileSync(file, 'utf8'), file);
      throw error;
    }
    return keys;
  }
  return parse(readFileSync(file, 'utf8'), file);
}

export function keyringFromJson(text: string): Keyring {
  return parse(text, 'KASSA_VAULT_KEYS');
}

/** Adds a new KEK and makes it current (old ones stay until the re-wrap is done). */
export function addKek(file: string): Keyring {
  const keys = loadKeyring(file);
  const next = `v${Math.max(...[...keys.keks.keys()].map((v) => Number(v.slice(1)) || 0)) + 1}`;
  const updated: Keyring = {
    ...keys,
    current: next,
    keks: new Map([...keys.keks, [next, randomBytes(32)]]),
  };
  writeFileSync(`${file}.tmp`, serialize(updated), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return updated;
}

/**
 * The keys as the running process sees them: from the environment (fixed), or from the key file,
 * re-read whenever the file changes so a rotation started elsewhere is picked up without restart.
 */
export function keyringSource(options: { file: string; json: string | undefined }): () => Keyring {
  if (options.json !== undefined) {
    const fixed = keyringFromJson(options.json);
    return () => fixed;
  }
  let loaded: { keys: Keyring; mtimeMs: number } | undefined;
  return () => {
    const mtimeMs = existsSync(options.file) ? statSync(options.file).mtimeMs : -1;
    if (loaded === undefined || loaded.mtimeMs !== mtimeMs) {
      const keys = loadKeyring(options.file);
      loaded = { keys, mtimeMs: statSync(options.file).mtimeMs };
    }
    return loaded.keys;
  };
}
