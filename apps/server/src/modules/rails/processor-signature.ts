import { createHmac, timingSafeEqual } from 'node:crypto';

/** Callbacks older or newer than this are refused (replay window). */
export const callbackToleranceSeconds = 300;

/**
 * Verifies a processor callback's `Processor-Signature: t=<unix seconds>,v1=<hex>` header: an
 * HMAC-SHA256 with the callback secret (never the API key) over `<t>.<raw body>`, within the
 * tolerance.
 */
export function verifyProcessorSignature(
  secret: string,
  header: string | undefined,
  rawBody: string,
  now: Date,
): boolean {
  if (header === undefined) return false;
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (t === undefined || v1 === undefined || !/^[0-9]{1,12}$/.test(t) || !/^[0-9a-f]{64}$/.test(v1))
    return false;
  if (Math.abs(now.getTime() / 1000 - Number(t)) > callbackToleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}
