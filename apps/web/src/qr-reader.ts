/**
 * Reads QR codes on any phone: the browser's own BarcodeDetector where it has one (Chrome on
 * Android, Safari on macOS), else the `barcode-detector` ponyfill (ZXing-C++ in WebAssembly),
 * loaded only then, from this origin (the .wasm file ships with the app: no CDN, works offline
 * once cached). iOS browsers and Firefox take the second path.
 */
export interface QrDetector {
  detect(source: ImageBitmapSource): Promise<{ rawValue: string }[]>;
}

type DetectorClass = {
  new (options: { formats: string[] }): QrDetector;
  getSupportedFormats?: () => Promise<string[]>;
};

let detector: Promise<QrDetector> | undefined;

async function native(): Promise<QrDetector | null> {
  const Native = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  if (Native === undefined) return null;
  const formats = (await Native.getSupportedFormats?.().catch(() => [])) ?? [];
  return formats.includes('qr_code') ? new Native({ formats: ['qr_code'] }) : null;
}

async function ponyfill(): Promise<QrDetector> {
  const { BarcodeDetector, prepareZXingModule } = await import('barcode-detector/ponyfill');
  prepareZXingModule({
    overrides: {
      locateFile: (path: string, prefix: string) =>
        path.endsWith('.wasm') ? new URL(path, location.href).href : prefix + path,
    },
  });
  return new BarcodeDetector({ formats: ['qr_code'] });
}

/** One detector per page; the ponyfill's code and WebAssembly load on first use. */
export function qrDetector(): Promise<QrDetector> {
  detector ??= native().then((found) => found ?? ponyfill());
  return detector;
}

/** The first QR code's text in an image (a photo of the code), or null. */
export async function readQrFromImage(file: Blob): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  try {
    const [found] = await (await qrDetector()).detect(bitmap);
    return found?.rawValue ?? null;
  } finally {
    bitmap.close();
  }
}
