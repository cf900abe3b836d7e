import { isIP } from 'node:net';
import { isLoopback, webhookAddressAllowed } from './webhook-address.ts';
import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks (standardwebhooks.com) signatures: `v1,<base64 HMAC-SHA256>` over
 * `<msg id>.<unix seconds>.<body>`, keyed with the base64 part of a `whsec_` secret. During a
 * rotation a message carries one signature per live secret, space-separated.
 */
export function signatureHeader(
  secrets: readonly string[],
  messageId: string,
  timestampSeconds: number,
  body: string,
): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      const mac = createHmac('sha256', key)
        .update(`${messageId}.${timestampSeconds}.${body}`)
        .digest('base64');
      return `v1,${mac}`;
    })
    .join(' ');
}

/**
 * When the next attempt of a failed delivery is due: exponential steps from 5 seconds to 12
 * hours, about 4 days in all (API.md: at least 3), each with ±20% jitter so that a receiver
 * coming back is not hit by every queued delivery at once. `null`: the schedule is spent.
 */
export const retryScheduleSeconds = [
  5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 43_200, 43_200, 43_200, 43_200, 43_200,
  43_200, 43_200,
] as const;

export function nextRetryDelayMs(attempts: number, scale: number, random: number): number | null {
  const step = retryScheduleSeconds[attempts - 1];
  if (step === undefined) return null;
  return Math.round(step * 1000 * scale * (0.8 + 0.4 * random));
}

/** Where a webhook may go: HTTPS anywhere, plain HTTP only to this machine (local development). */
export function webhookUrlProblem(raw: string, allowLoopback: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'The URL is not valid.';
  }
  if (url.username !== '' || url.password !== '') return 'The URL must not contain credentials.';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host) !== 0;
  const loopback =
    host === 'localhost' || host.endsWith('.localhost') || (literal && isLoopback(host));
  if (loopback && !allowLoopback)
    return 'Webhook URLs on this machine (localhost) are accepted only in local development (WEBHOOK_ALLOW_LOOPBACK=true, the default of npm start).';
  if (literal && !webhookAddressAllowed(host))
    return 'The URL points at a private or reserved address; webhooks go to public addresses (or loopback for local development).';
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return null;
  return 'Webhook URLs must use https:// (plain http:// is accepted for loopback addresses only).';
}
