import { randomUUID } from 'node:crypto';
import { startTestSystem, type TestSystem } from '../../../apps/server/test/support/test-system.ts';
import { createKassaClient, memoryStorage, type KassaClientOptions } from '../src/index.ts';

/** A test system listening on a real port, for the SDK to reach over HTTP. */
export async function startListeningSystem(
  env: Record<string, string> = {},
): Promise<{ t: TestSystem; baseUrl: string }> {
  const t = await startTestSystem({ env: { PORT: '0', ...env } });
  const baseUrl = await t.system.listen();
  return { t, baseUrl };
}

/** A user signed up through the SDK, with a funded wallet. */
export async function signedInClient(
  t: TestSystem,
  baseUrl: string,
  options: Partial<KassaClientOptions> = {},
  fundMinor = 100_000,
) {
  const client = await createKassaClient({
    baseUrl,
    storage: memoryStorage(),
    retry: { attempts: 6, baseDelayMs: 5, maxDelayMs: 50 },
    ...options,
  });
  const email = `sdk-${randomUUID().replace(/[0-9-]/g, '')}@kassa.test`;
  const signedUp = await client.signUp({
    email,
    password: 'correct horse battery',
    name: 'SDK User',
    currency: 'USD',
  });
  if (signedUp.status !== 'signed_in') throw new Error('sign-up did not sign in');
  const me = await client.me();
  const wallet = me.wallets[0];
  if (wallet === undefined) throw new Error('no wallet');
  if (fundMinor > 0) await t.fund(wallet.id, fundMinor);
  return { client, email, me, walletId: wallet.id };
}

/** One request the SDK made, as the network saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Headers;
  readonly body: string;
  readonly redirect: RequestRedirect | undefined;
}

/**
 * A fetch that records every request before passing it on (or not: `intercept` may answer
 * instead, or throw to play a lost connection).
 */
export function recordingFetch(
  intercept?: (request: SeenRequest) => Response | Promise<Response> | undefined,
): { fetch: typeof fetch; seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  return {
    seen,
    fetch: async (input, init) => {
      const request: SeenRequest = {
        method: init?.method ?? 'GET',
        path: new URL(input instanceof Request ? input.url : input).pathname,
        headers: new Headers(init?.headers),
        body: typeof init?.body === 'string' ? init.body : '',
        redirect: init?.redirect,
      };
      seen.push(request);
      return (await intercept?.(request)) ?? fetch(input, init);
    },
  };
}

/** Resolves once `condition` holds, checking every 10 ms; fails after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
