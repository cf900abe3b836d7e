import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The vault's keys, kept outside the database: a JSON key file (mode 0600) or its content in
 * the environment. `current` names the key-encryption key (KEK) that wraps new data keys; older
 * versions stay until `kassa keys rotate` has re-wrapped every data key. The fingerprint key is
 * separate and never rotates (fingerprints must stay comparable).
 */
export interface VaultKeys {
  readonly current: string;
  readonly keks: ReadonlyMap<string, Buffer>;
  readonly fingerprintKey: Buffer;
}

interface VaultKeyFile {
  current: string;
  keks: Record<string, string>;
  fingerprint_key: string;
}

function parse(text: string, source: string): VaultKeys {
  const json = JSON.parse(text) as VaultKeyFile;
  const keks = new Map(
    Object.entries(json.keks).map(([version, key]) => [version, Buffer.from(key, 'base64')]),
  );
  const fingerprintKey = Buffer.from(json.fingerprint_key, 'base64');
  if (!keks.has(json.current)) throw new Error(`${source}: current key ${json.current} is missing`);
  for (const [version, key] of keks)
    if (key.length !== 32) throw new Error(`${source}: key ${version} is not 32 bytes`);
  if (fingerprintKey.length !== 32) throw new Error(`${source}: fingerprint_key is not 32 bytes`);
  return { current: json.current, keks, fingerprintKey };
}

function serialize(keys: VaultKeys): string {
  const file: VaultKeyFile = {
    current: keys.current,
    keks: Object.fromEntries(
      [...keys.keks].map(([version, key]) => [version, key.toString('base64')]),
    ),
    fingerprint_key: keys.fingerprintKey.toString('base64'),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Loads the key file, creating one with a first KEK when it does not exist yet. */
export function loadVaultKeys(file: string): VaultKeys {
  if (!existsSync(file)) {
    const keys: VaultKeys = {
      current: 'v1',
      keks: new Map([['v1', randomBytes(32)]]),
      fingerprintKey: randomBytes(32),
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

export function vaultKeysFromJson(text: string): VaultKeys {
  return parse(text, 'KASSA_VAULT_KEYS');
}

/** Adds a new KEK and makes it current (old ones stay until the re-wrap is done). */
export function addVaultKek(file: string): VaultKeys {
  const keys = loadVaultKeys(file);
  const next = `v${Math.max(...[...keys.keks.keys()].map((v) => Number(v.slice(1)) || 0)) + 1}`;
  const updated: VaultKeys = {
    current: next,
    keks: new Map([...keys.keks, [next, randomBytes(32)]]),
    fingerprintKey: keys.fingerprintKey,
  };
  writeFileSync(`${file}.tmp`, serialize(updated), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return updated;
}

/**
 * The keys as the running process sees them: from the environment (fixed), or from the key file,
 * re-read whenever the file changes so a rotation started elsewhere is picked up without restart.
 */
export function vaultKeySource(options: {
  file: string;
  json: string | undefined;
}): () => VaultKeys {
  if (options.json !== undefined) {
    const fixed = vaultKeysFromJson(options.json);
    return () => fixed;
  }
  let loaded: { keys: VaultKeys; mtimeMs: number } | undefined;
  return () => {
    const mtimeMs = existsSync(options.file) ? statSync(options.file).mtimeMs : -1;
    if (loaded === undefined || loaded.mtimeMs !== mtimeMs) {
      const keys = loadVaultKeys(options.file);
      loaded = { keys, mtimeMs: statSync(options.file).mtimeMs };
    }
    return loaded.keys;
  };
}
