import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const here = import.meta.dirname;
const sdkSource = join(here, '..', '..', 'packages', 'sdk', 'src', 'index.ts');

/**
 * Bundles the app (and its service worker) into `outDir` with esbuild: one ES module each,
 * minified, with the SDK compiled from source. Takes well under a second, so `npm start` and
 * the tests build it on start instead of keeping build output in the repository.
 */
export async function buildWebApp(outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: {
      app: join(here, 'src', 'main.ts'),
      sw: join(here, 'src', 'service-worker', 'sw.ts'),
    },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    alias: { '@kassa/sdk': sdkSource },
    logLevel: 'silent',
  });
  for (const file of readdirSync(join(here, 'public')))
    copyFileSync(join(here, 'public', file), join(outDir, file));
  return outDir;
}
