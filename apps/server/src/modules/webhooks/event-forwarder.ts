import { setTimeout as sleep } from 'node:timers/promises';
import { timeoutSignal } from '../../platform/timeout-signal.ts';
import { signatureHeader } from './domain/standard-webhooks.ts';

interface WireEvent {
  readonly id: string;
  readonly type: string;
}

/**
 * `kassa listen --forward-to URL`: follows a merchant's events through the public API
 * (`GET /v1/events?ending_before=…`) and POSTs each to a local URL, signed like a real
 * delivery with a session secret, so a merchant can develop their webhook handler on a laptop
 * without a public URL. Starts with the events from now on; stops when `signal` aborts.
 */
export async function forwardEvents(options: {
  apiUrl: string;
  apiKey: string;
  forwardTo: string;
  secret: string;
  signal: AbortSignal;
  report: (line: string) => void;
  pollMs?: number;
}): Promise<void> {
  const get = async (query: string) => {
    const res = await fetch(`${options.apiUrl}/v1/events?${query}`, {
      headers: { authorization: `Bearer ${options.apiKey}` },
      signal: options.signal,
    });
    if (!res.ok) throw new Error(`GET /v1/events: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as { data: WireEvent[] }).data;
  };
  let last = (await get('limit=1'))[0]?.id ?? null;
  while (!options.signal.aborted) {
    const page = await get(last === null ? 'limit=100' : `limit=100&ending_before=${last}`);
    for (const event of [...page].reverse()) {
      const body = JSON.stringify(event);
      const timestamp = Math.floor(Date.now() / 1000);
      let outcome: string;
      const deadline = timeoutSignal(options.signal, 10_000);
      try {
        const res = await fetch(options.forwardTo, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': event.id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signatureHeader([options.secret], event.id, timestamp, body),
          },
          body,
          signal: deadline.signal,
        });
        await res.body?.cancel();
        outcome = String(res.status);
      } catch (error) {
        if (options.signal.aborted) return;
        outcome = `failed: ${(error as Error).message}`;
      } finally {
        deadline.dispose();
      }
      options.report(`--> ${event.type} ${event.id} [${outcome}]`);
      last = event.id;
    }
    await sleep(options.pollMs ?? 1_000, undefined, { signal: options.signal }).catch(
      () => undefined,
    );
  }
}
