import { watchConnectivity } from './connectivity-watch.ts';
import { crossTabLock } from './cross-tab-lock.ts';
import { createDeviceKeyPair, type StoredDevice } from './device-key.ts';
import { KassaApiError, KassaNetworkError, signedOutError } from './errors.ts';
import { createOutbox, type OutboxListener } from './outbox.ts';
import { isMoneyAnswer, type OutboxRecord } from './outbox-record.ts';
import { outboxRouteOf } from './outbox-routes.ts';
import { createRecordKey } from './record-mac.ts';
import { defaultRetryPolicy, isRetryable, retryDelayMs, type RetryPolicy } from './retry.ts';
import { createSessionKeeper, isSessionTokens } from './session-keeper.ts';
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
  /** Where the outbox, the session and the device keys live (IndexedDB, a file, memory). */
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

/** How long log-out waits for the server before it lets the person go (it is signed out here). */
const logOutServerWaitMs = 5_000;

/**
 * A Kassa client for the app (or any Node.js program acting for one user at a time). Opens its
 * storage, then: sessions with refresh shared by tabs, a device key per user and request signing,
 * typed reads, and money moved only through the offline-capable outbox of the signed-in user.
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
  const newId = () => crypto.randomUUID();
  const transport = {
    baseUrl: options.baseUrl,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    now,
  } satisfies Parameters<typeof callApi>[0];
  const { storage } = options;
  const lock = crossTabLock(storage.scope);

  let devices: StoredDevice[] = [];
  async function reloadDevices(): Promise<StoredDevice[]> {
    devices = await storage.readDevices();
    return devices;
  }
  const deviceOf = async (owner: string) =>
    (await reloadDevices()).find((d) => d.owner === owner) ?? null;

  const sessions = createSessionKeeper({ storage, lock, transport, now, newId, deviceOf });
  const owner = () => sessions.current()?.user_id ?? null;

  /** One call as `as` (the signed-in user if unset); an expired token is refreshed once. */
  async function authed(request: Omit<ApiRequest, 'token'>, as?: string): Promise<unknown> {
    const session = await sessions.usable(as);
    try {
      return await callApi(transport, { ...request, token: session.access_token });
    } catch (error) {
      // Only an expired or revoked access token is cured by a refresh (a bad device signature
      // is a 401 too, and refreshing would not change it).
      if (!(error instanceof KassaApiError) || error.code !== 'authentication_required')
        throw error;
      await sessions.refresh(session.refresh_token);
      const token = (await sessions.usable(as)).access_token;
      return callApi(transport, { ...request, token });
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

  let recordKey: Promise<CryptoKey> | undefined;
  const outbox = createOutbox({
    storage,
    lock,
    owner,
    recordKey: () =>
      (recordKey ??= storage.recordKey(() => createRecordKey(storage.keysExtractable))),
    retry,
    offlineLimitMinor: options.offlineLimitMinor ?? 10_000,
    online,
    newId,
    now: () => new Date(now()),
    random,
    sleep,
    send: async (record: OutboxRecord, route: string) =>
      (await authed(
        {
          method: 'POST',
          path: route,
          body: record.body,
          idempotencyKey: record.idempotencyKey,
          device: await deviceOf(record.owner),
          accepts: isMoneyAnswer,
        },
        record.owner,
      )) as Transfer | Payment,
  });

  // Another tab (or the service worker) changed what is stored: catch up.
  storage.watch(() => void Promise.all([sessions.reload(), reloadDevices(), outbox.reload()]));
  await Promise.all([sessions.reload(), reloadDevices(), outbox.reload()]);
  // Whoever logs in, here or in another tab, gets what they queued before sent (theirs only).
  sessions.subscribe(() => {
    if (owner() !== null && online()) void outbox.flush().catch(() => undefined);
  });

  const enc = encodeURIComponent;
  /** Log-ins waiting for their second factor: the email typed, for the device key's label. */
  const challenges = new Map<string, string>();
  /** The device key of the account that last logged in with this email, to bind the session. */
  const deviceIdFor = (email: string | undefined) =>
    devices.find((d) => email !== undefined && d.email?.toLowerCase() === email.toLowerCase())
      ?.id ?? null;

  async function logIn(credentials: { email: string; password: string }): Promise<LogInResult> {
    await reloadDevices();
    const answer = (await callApi(transport, {
      method: 'POST',
      path: '/v1/sessions',
      body: credentials,
      deviceId: deviceIdFor(credentials.email),
      accepts: (a) => isSessionTokens(a) || typeof a['challenge_id'] === 'string',
    })) as SessionTokens | { requires_2fa: true; challenge_id: string };
    if ('challenge_id' in answer) {
      challenges.set(answer.challenge_id, credentials.email);
      return { status: 'requires_2fa', challengeId: answer.challenge_id };
    }
    await sessions.establish(answer, credentials.email);
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
      const email = challenges.get(challengeId);
      const tokens = (await callApi(transport, {
        method: 'POST',
        path: '/v1/sessions/2fa',
        body: { challenge_id: challengeId, code },
        deviceId: deviceIdFor(email),
        accepts: isSessionTokens,
      })) as SessionTokens;
      challenges.delete(challengeId);
      await sessions.establish(tokens, email ?? null);
      return { status: 'signed_in' };
    },
    /**
     * A passkey log-in, step 1: the WebAuthn request options (pass `options` to the browser's
     * `navigator.credentials.get`, e.g. with @simplewebauthn/browser's startAuthentication).
     */
    async passkeyOptions(): Promise<{ challenge_id: string; options: Record<string, unknown> }> {
      return (await callApi(transport, {
        method: 'POST',
        path: '/v1/sessions/passkey/options',
        accepts: (a) => typeof a['challenge_id'] === 'string',
      })) as { challenge_id: string; options: Record<string, unknown> };
    },
    /**
     * A passkey log-in, step 2: the browser's answer. No password and no second code; the
     * session is bound to this install's device key when it is the account's, which Kassa then
     * trusts.
     */
    async logInWithPasskey(challengeId: string, response: unknown): Promise<LogInResult> {
      await reloadDevices();
      const tokens = (await callApi(transport, {
        method: 'POST',
        path: '/v1/sessions/passkey',
        body: { challenge_id: challengeId, response },
        deviceId: devices.length === 1 ? (devices[0]?.id ?? null) : null,
        accepts: isSessionTokens,
      })) as SessionTokens;
      await sessions.establish(tokens, null);
      return { status: 'signed_in' };
    },
    /**
     * Logs out: the session is forgotten on this device first, whatever happens next (no
     * connection, a session Kassa already ended), then ended on the server when it answers in
     * time. The user's queued payments and device key stay, for their next log-in here.
     */
    async logOut(): Promise<void> {
      const ended = await sessions.end();
      if (ended === null || !online()) return;
      const revoked = sessions.revokeOnServer(ended).catch(() => undefined);
      await Promise.race([revoked, sleep(logOutServerWaitMs)]);
    },
    signedIn: (): boolean => sessions.current() !== null,
    /** The signed-in user's id (the access token's subject), or null. */
    userId: owner,
    /** Calls `listener` when the signed-in user changes, in this tab or another. */
    onSessionChange: (listener: () => void) => sessions.subscribe(listener),

    /** Makes the signed-in user's signing key on this install and enrolls it. */
    async enrollDevice(name: string, fingerprint: Record<string, unknown> = {}): Promise<Device> {
      const session = sessions.current();
      if (session === null) throw signedOutError();
      const keys = await createDeviceKeyPair(storage.keysExtractable);
      const device = (await authed(
        {
          method: 'POST',
          path: '/v1/devices',
          body: { name, public_key: keys.publicJwk, fingerprint },
          idempotencyKey: newId(),
        },
        session.user_id,
      )) as Device;
      await storage.writeDevice(session.user_id, {
        id: device.id,
        owner: session.user_id,
        email: session.email,
        privateKey: keys.privateKey,
      });
      await reloadDevices();
      return device;
    },
    /** The signed-in user's enrolled device on this install, or null. */
    device: (): { readonly id: string } | null => {
      const found = devices.find((d) => d.owner === owner());
      return found === undefined ? null : { id: found.id };
    },

    me: () => read<Me>('/v1/me'),
    wallet: (id: string) => read<Wallet>(`/v1/wallets/${enc(id)}`),
    transfer: (id: string) => read<Transfer>(`/v1/transfers/${enc(id)}`),
    payment: (id: string) => read<Payment>(`/v1/payments/${enc(id)}`),
    payments: () => read<PaymentList>('/v1/payments'),
    merchant: (id: string) => read<MerchantProfile>(`/v1/merchants/${enc(id)}`),

    /** Sends money to a person: queued on the device first, sent now when online. */
    send: (body: TransferRequest) => outbox.submit({ kind: 'transfer', body }),
    /** Pays a merchant: queued on the device first, sent now when online. */
    pay: (body: PaymentRequest) => outbox.submit({ kind: 'payment', body }),
    /** Confirms a `requires_action` record with a 2FA code (exactly once on the server). */
    async confirm(record: OutboxRecord, code: string): Promise<Transfer | Payment> {
      const id = record.result?.id;
      const route = outboxRouteOf(record.kind);
      if (id === undefined || route === null)
        throw new Error('only a record Kassa answered can be confirmed');
      return (await authed(
        {
          method: 'POST',
          path: `${route}/${enc(id)}/confirm`,
          body: { code },
          idempotencyKey: `${record.idempotencyKey}:confirm`,
          device: await deviceOf(record.owner),
          accepts: isMoneyAnswer,
        },
        record.owner,
      )) as Transfer | Payment;
    },

    outbox: {
      list: outbox.list,
      flush: outbox.flush,
      subscribe: (listener: OutboxListener) => outbox.subscribe(listener),
      offline: outbox.offline,
      othersWaiting: outbox.othersWaiting,
      discardOthers: () => outbox.discardOthers(),
    },

    /** Flushes on `online`, on foreground and every `everyMs` while something waits. */
    watchConnectivity: (target: EventTarget = globalThis, everyMs = 30_000): (() => void) =>
      watchConnectivity(outbox, target, everyMs),

    /**
     * Any other route, authenticated as the signed-in user and typed by the caller. Writes
     * (top-ups, payouts…) are signed with this install's device key when the user has one: a
     * session bound to a device must sign what moves money.
     */
    request: async <T>(request: Omit<ApiRequest, 'token' | 'device' | 'deviceId'>) => {
      const user = owner();
      const device = request.method === 'GET' || user === null ? null : await deviceOf(user);
      return authed(device === null ? request : { ...request, device }) as Promise<T>;
    },
  };
}

export type KassaClient = Awaited<ReturnType<typeof createKassaClient>>;
