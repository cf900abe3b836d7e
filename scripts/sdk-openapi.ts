/**
 * Regenerates the SDK's types from the API's own OpenAPI document
 * (`npm run generate -w packages/sdk`): `packages/sdk/openapi.json` and
 * `packages/sdk/src/generated/openapi.ts` (openapi-typescript). A test fails when either
 * drifts from what the server documents.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { loadConfig } from '../apps/server/src/config/config.ts';
import { createSystem } from '../apps/server/src/main/system.ts';
import { createLogger } from '../apps/server/src/platform/log.ts';

const sdk = join(import.meta.dirname, '..', 'packages', 'sdk');
export const specFile = join(sdk, 'openapi.json');
export const typesFile = join(sdk, 'src', 'generated', 'openapi.ts');

export function renderSpec(spec: unknown): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}

export async function renderTypes(spec: unknown): Promise<string> {
  const ast = await openapiTS(spec as Parameters<typeof openapiTS>[0]);
  return `/* Generated from packages/sdk/openapi.json by scripts/sdk-openapi.ts: do not edit. */\n\n${astToString(ast)}`;
}

if (process.argv[1] === import.meta.filename) {
  // The document is built from the routes: no request reaches the database.
  const config = loadConfig({ LOG_LEVEL: 'silent', KASSA_JOURNAL_ANCHOR_FILE: 'off' });
  const system = await createSystem({
    config,
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
    secrets: {
      operatorKey: randomBytes(24).toString('base64url'),
      tokenSecret: randomBytes(32).toString('base64url'),
      processorApiKey: randomBytes(16).toString('base64url'),
      processorCallbackSecret: randomBytes(16).toString('base64url'),
      operatorKeyGenerated: false,
      postgresPassword: 'unused',
      backupCipherPass: 'unused',
      backupCipherPassRepo2: 'unused',
    },
    logger: createLogger({ level: 'silent', name: 'sdk-openapi' }),
    role: 'openapi',
  });
  const spec: unknown = (await system.app.inject({ url: '/openapi.json' })).json();
  await system.close();
  writeFileSync(specFile, renderSpec(spec));
  writeFileSync(typesFile, await renderTypes(spec));
}
