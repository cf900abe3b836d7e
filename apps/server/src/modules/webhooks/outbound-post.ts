import { lookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { webhookAddressAllowed } from './domain/webhook-address.ts';

/** The receiver's host is, or resolves to, an address webhooks may not reach. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
}

export class WebhookTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * DNS for webhook connections: every address the name resolves to must be allowed, and the
 * connection goes to an address checked here (no second lookup that DNS rebinding could change).
 */
function guardedLookup(allowLoopback: boolean) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    const all: LookupAllOptions = { ...options, all: true };
    lookup(hostname, all, (error, addresses) => {
      if (error !== null) return callback(error, []);
      const allowed = addresses.every((a) => webhookAddressAllowed(a.address, allowLoopback));
      if (addresses.length === 0 || !allowed)
        return callback(
          new BlockedAddressError(`${hostname} resolves to an address webhooks may not reach`),
          [],
        );
      if (options.all === true) return callback(null, addresses);
      const first = addresses[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}

/**
 * POSTs a webhook and resolves with the receiver's status code (the body is discarded).
 * Redirects are not followed; the whole exchange must finish within `timeoutMs`.
 */
export function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  allowLoopback: boolean,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && !webhookAddressAllowed(host, allowLoopback))
      return reject(new BlockedAddressError(`${host} is an address webhooks may not reach`));
    const transport = target.protocol === 'https:' ? https : http;
    const request = transport.request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(allowLoopback) as unknown as typeof lookup,
    });
    const timer = setTimeout(() => request.destroy(new WebhookTimeoutError('timeout')), timeoutMs);
    request.on('response', (response) => {
      clearTimeout(timer);
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(body);
  });
}
