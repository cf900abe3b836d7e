import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { renderSpec, renderTypes, specFile, typesFile } from '../../../scripts/sdk-openapi.ts';
import { startTestSystem, type TestSystem } from '../../../apps/server/test/support/test-system.ts';

const sdkDir = join(import.meta.dirname, '..');
let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(async () => {
  rmSync(join(sdkDir, 'dist'), { recursive: true, force: true });
  await t.close();
});

it('the SDK types are generated from the OpenAPI document the server serves now', async () => {
  const spec: unknown = (await t.request('GET', '/openapi.json')).json();
  assert.equal(
    readFileSync(specFile, 'utf8'),
    renderSpec(spec),
    'packages/sdk/openapi.json is stale: run `npm run generate -w packages/sdk`',
  );
  assert.equal(
    readFileSync(typesFile, 'utf8'),
    await renderTypes(spec),
    'the generated types are stale: run `npm run generate -w packages/sdk`',
  );
});

it('builds as a package (ES modules with types) that plain Node.js imports by its exports', () => {
  execFileSync(
    process.execPath,
    [
      join(sdkDir, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(sdkDir, 'tsconfig.build.json'),
    ],
    {
      stdio: 'pipe',
    },
  );
  const probe = `
    const sdk = await import('@kassa/sdk');
    const files = await import('@kassa/sdk/file-storage');
    console.log(JSON.stringify([typeof sdk.createKassaClient, typeof sdk.indexedDbStorage, typeof files.fileStorage]));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: sdkDir,
    encoding: 'utf8',
  });
  assert.deepEqual(JSON.parse(out), ['function', 'function', 'function']);
  const manifest = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8')) as {
    exports: Record<string, { types: string }>;
  };
  for (const entry of Object.values(manifest.exports))
    assert.ok(readFileSync(join(sdkDir, entry.types), 'utf8').includes('export'), entry.types);
});
