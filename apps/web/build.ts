import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

const here = import.meta.dirname;
const sdkSource = join(here, '..', '..', 'packages', 'sdk', 'src', 'index.ts');
const zxingReaderWasm = createRequire(import.meta.url).resolve(
  'zxing-wasm/reader/zxing_reader.wasm',
);

/**
 * Bundles the app (and its service worker) into `outDir` with esbuild: one ES module each,
 * minified, with the SDK compiled from source. Takes well under a second, so `npm start` and
 * the tests build it on start instead of keeping build output in the repository.
 */
export async function buildWebApp(outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const common = {
    outdir: outDir,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    alias: { '@kassa/sdk': sdkSource },
    logLevel: 'silent',
  } as const;
  await Promise.all([
    // The QR ponyfill is its own chunk, loaded only on phones without a BarcodeDetector.
    build({
      ...common,
      entryPoints: { app: join(here, 'src', 'main.ts') },
      splitting: true,
      chunkNames: 'chunk-[hash]',
    }),
    // The service worker is one file: it shares no chunk with the page.
    build({ ...common, entryPoints: { sw: join(here, 'src', 'service-worker', 'sw.ts') } }),
  ]);
  for (const file of readdirSync(join(here, 'public')))
    copyFileSync(join(here, 'public', file), join(outDir, file));
  // The ponyfill's ZXing reader, served from this origin (qr-reader.ts points it here).
  copyFileSync(zxingReaderWasm, join(outDir, 'zxing_reader.wasm'));
  return outDir;
}
