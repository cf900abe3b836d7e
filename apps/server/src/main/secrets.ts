import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config.ts';

export interface Secrets {
  readonly operatorKey: string;
  readonly tokenSecret: string;
  /** Shared with the processor: Kassa's API key there, and the key of its signed callbacks. */
  readonly processorSecret: string;
  /** True when the operator key was generated and stored by this process or an earlier one. */
  readonly operatorKeyGenerated: boolean;
}

/**
 * The operator key, token-signing secret and processor secret: from the environment when set; otherwise generated
 * once and kept in `<dataDir>/secrets.json` (mode 0600) so that restarts keep sessions valid and
 * the operator key stays the same.
 */
export async function loadSecrets(config: Config): Promise<Secrets> {
  const file = join(config.dataDir, 'secrets.json');
  let stored: { operatorKey?: string; tokenSecret?: string; processorSecret?: string } = {};
  if (existsSync(file)) stored = JSON.parse(await readFile(file, 'utf8')) as typeof stored;
  const operatorKey =
    config.operatorKey ?? stored.operatorKey ?? `op_${randomBytes(24).toString('base64url')}`;
  const tokenSecret =
    config.tokenSecret ?? stored.tokenSecret ?? randomBytes(32).toString('base64url');
  const processorSecret =
    config.processor.secret ?? stored.processorSecret ?? randomBytes(32).toString('base64url');
  if (
    (stored.operatorKey !== operatorKey && config.operatorKey === undefined) ||
    (stored.tokenSecret !== tokenSecret && config.tokenSecret === undefined) ||
    (stored.processorSecret !== processorSecret && config.processor.secret === undefined)
  ) {
    await mkdir(config.dataDir, { recursive: true });
    const next = {
      ...(config.operatorKey === undefined ? { operatorKey } : {}),
      ...(config.tokenSecret === undefined ? { tokenSecret } : {}),
      ...(config.processor.secret === undefined ? { processorSecret } : {}),
    };
    await writeFile(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  }
  return {
    operatorKey,
    tokenSecret,
    processorSecret,
    operatorKeyGenerated: config.operatorKey === undefined,
  };
}
