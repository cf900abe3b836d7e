import { createDeviceKeyPair, type DeviceIdentity } from './device-key.ts';
import { KassaApiError, KassaNetworkError } from './errors.ts';
import { createOutbox, type OutboxListener } from './outbox.ts';
import type { OutboxRecord } from './outbox-record.ts';
import { defaultRetryPolicy, isRetryable, retryDelayMs, type RetryPolicy } from './retry.ts';
import { openStateStore } from './state-store.ts';
import type { SdkStorage } from './storage.ts';
import { callApi, type ApiRequest } from './transport.ts';
import type {
  Device,
  Me,
  MerchantProfile,
  Payment,
  PaymentList,
  PaymentRequest,
  SessionTokens,
  SignUpRequest,
  Transfer,
  TransferRequest,
  Wallet,
} from './types.ts';

export interface KassaClientOptions {
  /** `https://api.example.com` (no trailing slash). */
  readonly baseUrl: string;
  /** Where the outbox, the session and the device key live (IndexedDB, a file, memory). */
  readonly storage: SdkStorage;
  /** Per currency, in minor units: how much may wait on the device while offline (default 10000). */
  readonly offlineLimitMinor?: number;
  readonly retry?: RetryPolicy;
  readonly fetch?: typeof fetch;
  /** Whether the platform reports a connection (default: `navigator.onLine` where it exists). */
  readonly online?: () => boolean;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type LogInResult =
  | { readonly status: 'signed_in' }
  | { readonly status: 'requires_2fa'; readonly challengeId: string };

/** Refresh the access token when it has less than this left. */
const refreshMarginMs = 30_000;

/**
 * A Kassa client for the app (or any Node.js program acting for one user). Opens its storage,
 * then: sessions with refresh, device enrolment and request signing, typed reads, and money
 * moved only through the offline-capable outbox.
 */
export async function createKassaClient(options: KassaClientOptions) {
  const now = options.now ?? (() => Date.now());
  const random = options.random ?? Math.random;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const retry = options.retry ?? defaultRetryPolicy;
  const online =
    options.online ??
    (() => (typeof navigator === 'undefined' ? true : navigator.onLine !== false));
  const transport = {
    baseUrl: options.baseUrl,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    now,
  } satisfies Parameters<typeof callApi>[0];
  const store = await openStateStore(options.storage);

  async function keepSession(tokens: SessionTokens): Promise<void> {
    await store.update((s) => ({
      ...s,
      session: { ...tokens, expires_at_ms: now() + tokens.expires_in * 1000 },
    }));
  }

  let refreshing: Promise<void> | undefined;
  /** Trades the refresh token for a new pair, once at a time (the old one dies on use). */
  function refresh(): Promise<void> {
    refreshing ??= (async () => {
      // Yield first, so `refreshing` is set before the body (and its `finally`) can run.
      await Promise.resolve();
      try {
        const session = store.get().session;
        if (session === null) throw notSignedIn();
        const tokens = (await callApi(transport, {
          method: 'POST',
          path: '/v1/sessions/refresh',
          body: { refresh_token: session.refresh_token },
          deviceId: store.get().device?.id ?? null,
        })) as SessionTokens;
        await keepSession(tokens);
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  }

  function notSignedIn(): KassaApiError {
    return new KassaApiError(401, {
      error: {
        type: 'authentication_error',
        code: 'authentication_required',
        message: 'Log in to continue.',
        request_id: '',
        money_moved: false,
        retryable: false,
        next_action: 'log_in',
      },
    });
  }

  async function accessToken(): Promise<string> {
    const session = store.get().session;
    if (session === null) throw notSignedIn();
    if (session.expires_at_ms - now() < refreshMarginMs) await refresh();
    return store.get().session?.access_token ?? '';
  }

  /** One authenticated call; an expired token is refreshed and the call made once more. */
  async function authed(request: Omit<ApiRequest, 'token'>): Promise<unknown> {
    try {
      return await callApi(transport, { ...request, token: await accessToken() });
    } catch (error) {
      // Only an expired or revoked access token is cured by a refresh (a bad device signature
      // is a 401 too, and refreshing would not change it).
      if (
        !(error instanceof KassaApiError) ||
        error.status !== 401 ||
        error.code !== 'authentication_required'
      )
        throw error;
      await refresh();
      return callApi(transport, { ...request, token: await accessToken() });
    }
  }

  /** Reads are safe to repeat: retried with backoff and jitter like money requests. */
  async function read<T>(path: string): Promise<T> {
    // Offline, say so at once instead of retrying into the void.
    if (!online()) throw new KassaNetworkError(new Error('offline'));
    for (let attempt = 0; ; attempt += 1) {
      try {
        return (await authed({ method: 'GET', path })) as T;
      } catch (error) {
        if (!isRetryable(error) || attempt + 1 >= retry.attempts) throw error;
        await sleep(retryDelayMs(error, attempt, retry, random));
      }
    }
  }

  const outbox = createOutbox({
    store,
    retry,
    offlineLimitMinor: options.offlineLimitMinor ?? 10_000,
    online,
    newId: () => crypto.randomUUID(),
    now: () => new Date(now()),
    random,
    sleep,
    send: async (record: OutboxRecord) =>
      (await authed({
        method: 'POST',
        path: record.path,
        body: record.body,
        idempotencyKey: record.idempotencyKey,
        device: store.get().device,
      })) as Transfer | Payment,
  });

  const enc = encodeURIComponent;

  async function logIn(credentials: { email: string; password: string }): Promise<LogInResult> {
    const answer = (await callApi(transport, {
      method: 'POST',
      path: '/v1/sessions',
      body: credentials,
      deviceId: store.get().device?.id ?? null,
    })) as SessionTokens | { requires_2fa: true; challenge_id: string };
    if ('requires_2fa' in answer)
      return { status: 'requires_2fa', challengeId: answer.challenge_id };
    await keepSession(answer);
    return { status: 'signed_in' };
  }

  return {
    /** Creates an account with a wallet (`currency`), then logs in. */
    async signUp(body: SignUpRequest): Promise<LogInResult> {
      await callApi(transport, { method: 'POST', path: '/v1/users', body });
      return logIn({ email: body.email, password: body.password });
    },
    /** Logs in; with 2FA on, answers with a challenge for `completeTwoFactor`. */
    logIn,
    async completeTwoFactor(challengeId: string, code: string): Promise<LogInResult> {
      const tokens = (await callApi(transport, {
        method: 'POST',
        path: '/v1/sessions/2fa',
        body: { challenge_id: challengeId, code },
        deviceId: store.get().device?.id ?? null,
      })) as SessionTokens;
      await keepSession(tokens);
      return { status: 'signed_in' };
    },
    async logOut(): Promise<void> {
      await authed({ method: 'DELETE', path: '/v1/sessions/current' }).catch(() => undefined);
      await store.update((s) => ({ ...s, session: null }));
    },
    signedIn: (): boolean => store.get().session !== null,

    /** Makes this install's signing key and enrolls it; later money requests are signed. */
    async enrollDevice(name: string, fingerprint: Record<string, unknown> = {}): Promise<Device> {
      const keys = await createDeviceKeyPair();
      const device = (await authed({
        method: 'POST',
        path: '/v1/devices',
        body: { name, public_key: keys.publicJwk, fingerprint },
        idempotencyKey: crypto.randomUUID(),
      })) as Device;
      const identity: DeviceIdentity = { id: device.id, privateJwk: keys.privateJwk };
      await store.update((s) => ({ ...s, device: identity }));
      return device;
    },
    device: () => store.get().device,

    me: () => read<Me>('/v1/me'),
    wallet: (id: string) => read<Wallet>(`/v1/wallets/${enc(id)}`),
    transfer: (id: string) => read<Transfer>(`/v1/transfers/${enc(id)}`),
    payment: (id: string) => read<Payment>(`/v1/payments/${enc(id)}`),
    payments: () => read<PaymentList>('/v1/payments'),
    merchant: (id: string) => read<MerchantProfile>(`/v1/merchants/${enc(id)}`),

    /** Sends money to a person: queued on the device first, sent now when online. */
    send: (body: TransferRequest) =>
      outbox.submit({ kind: 'transfer', path: '/v1/transfers', body }),
    /** Pays a merchant: queued on the device first, sent now when online. */
    pay: (body: PaymentRequest) => outbox.submit({ kind: 'payment', path: '/v1/payments', body }),
    /** Confirms a `requires_action` record with a 2FA code (exactly once on the server). */
    async confirm(record: OutboxRecord, code: string): Promise<Transfer | Payment> {
      const id = record.result?.id;
      if (id === undefined) throw new Error('only a record Kassa answered can be confirmed');
      return (await authed({
        method: 'POST',
        path: `${record.path}/${enc(id)}/confirm`,
        body: { code },
        idempotencyKey: `${record.idempotencyKey}:confirm`,
      })) as Transfer | Payment;
    },

    outbox: {
      list: outbox.list,
      flush: outbox.flush,
      subscribe: (listener: OutboxListener) => outbox.subscribe(listener),
      offline: outbox.offline,
    },

    /**
     * Flushes the outbox whenever the connection may be back: on `online`, when the app comes
     * to the foreground, and every `everyMs` while something waits; returns a function that
     * stops it.
     */
    watchConnectivity(target: EventTarget = globalThis, everyMs = 30_000): () => void {
      const flush = () => void outbox.flush().catch(() => undefined);
      const timer = setInterval(() => {
        if (outbox.list().some((r) => r.state === 'queued_on_device')) flush();
      }, everyMs);
      const visible = () => {
        const page = (globalThis as { document?: { visibilityState: string } }).document;
        if (page === undefined || page.visibilityState === 'visible') flush();
      };
      target.addEventListener('online', flush);
      target.addEventListener('visibilitychange', visible);
      return () => {
        clearInterval(timer);
        target.removeEventListener('online', flush);
        target.removeEventListener('visibilitychange', visible);
      };
    },

    /** Any other route, authenticated and typed by the caller. */
    request: <T>(request: Omit<ApiRequest, 'token' | 'device' | 'deviceId'>) =>
      authed(request) as Promise<T>,
  };
}

export type KassaClient = Awaited<ReturnType<typeof createKassaClient>>;
