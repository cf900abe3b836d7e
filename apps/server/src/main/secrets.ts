import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, type Config } from '../config/config.ts';

export interface Secrets {
  readonly operatorKey: string;
  readonly tokenSecret: string;
  /** Kassa's API key at the processor (sent as Bearer). */
  readonly processorApiKey: string;
  /** Verifies the processor's signed callbacks; a different value from the API key. */
  readonly processorCallbackSecret: string;
  /** True when the operator key was generated and stored by this process or an earlier one. */
  readonly operatorKeyGenerated: boolean;
  /** The embedded PostgreSQL's password (npm start, the CLI): random, kept only in the file. */
  readonly postgresPassword: string;
  /**
   * The backup repositories' cipher keys (pgBackRest, AES-256): KASSA_BACKUP_CIPHER_PASS and
   * KASSA_BACKUP_CIPHER_PASS_REPO2 when set, else generated and kept here, never in the database.
   */
  readonly backupCipherPass: string;
  readonly backupCipherPassRepo2: string;
}

/**
 * The operator key, token-signing secret and the processor's API key and callback secret: from
 * the environment when set; otherwise generated once and kept in `<dataDir>/secrets.json` (mode
 * 0600) so that restarts keep sessions valid and the operator key stays the same. The embedded
 * PostgreSQL's password is always generated and kept there (it is never a well-known one).
 */
export async function loadSecrets(config: Config): Promise<Secrets> {
  const file = join(config.dataDir, 'secrets.json');
  let stored: {
    operatorKey?: string;
    tokenSecret?: string;
    processorApiKey?: string;
    processorCallbackSecret?: string;
    postgresPassword?: string;
    backupCipherPass?: string;
    backupCipherPassRepo2?: string;
  } = {};
  if (existsSync(file)) stored = JSON.parse(await readFile(file, 'utf8')) as typeof stored;
  const operatorKey =
    config.operatorKey ?? stored.operatorKey ?? `op_${randomBytes(24).toString('base64url')}`;
  const tokenSecret =
    config.tokenSecret ?? stored.tokenSecret ?? randomBytes(32).toString('base64url');
  const processorApiKey =
    config.processor.apiKey ?? stored.processorApiKey ?? randomBytes(32).toString('base64url');
  const processorCallbackSecret =
    config.processor.callbackSecret ??
    stored.processorCallbackSecret ??
    randomBytes(32).toString('base64url');
  const postgresPassword = stored.postgresPassword ?? randomBytes(24).toString('base64url');
  const backupCipherPass =
    config.backup.cipherPass ?? stored.backupCipherPass ?? randomBytes(32).toString('base64url');
  const backupCipherPassRepo2 =
    config.backup.cipherPassRepo2 ??
    stored.backupCipherPassRepo2 ??
    randomBytes(32).toString('base64url');
  // One value in both roles would let whoever holds the API key forge callbacks.
  if (processorApiKey === processorCallbackSecret)
    throw new ConfigError('PROCESSOR_API_KEY and PROCESSOR_CALLBACK_SECRET must differ');
  if (
    (stored.operatorKey !== operatorKey && config.operatorKey === undefined) ||
    (stored.tokenSecret !== tokenSecret && config.tokenSecret === undefined) ||
    (stored.processorApiKey !== processorApiKey && config.processor.apiKey === undefined) ||
    (stored.processorCallbackSecret !== processorCallbackSecret &&
      config.processor.callbackSecret === undefined) ||
    stored.postgresPassword !== postgresPassword ||
    (stored.backupCipherPass !== backupCipherPass && config.backup.cipherPass === undefined) ||
    (stored.backupCipherPassRepo2 !== backupCipherPassRepo2 &&
      config.backup.cipherPassRepo2 === undefined)
  ) {
    await mkdir(config.dataDir, { recursive: true });
    const next = {
      postgresPassword,
      ...(config.operatorKey === undefined ? { operatorKey } : {}),
      ...(config.tokenSecret === undefined ? { tokenSecret } : {}),
      ...(config.processor.apiKey === undefined ? { processorApiKey } : {}),
      ...(config.processor.callbackSecret === undefined ? { processorCallbackSecret } : {}),
      ...(config.backup.cipherPass === undefined ? { backupCipherPass } : {}),
      ...(config.backup.cipherPassRepo2 === undefined ? { backupCipherPassRepo2 } : {}),
    };
    await writeFile(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  }
  return {
    operatorKey,
    tokenSecret,
    processorApiKey,
    processorCallbackSecret,
    operatorKeyGenerated: config.operatorKey === undefined,
    postgresPassword,
    backupCipherPass,
    backupCipherPassRepo2,
  };
}
