import type { Lock } from './cross-tab-lock.ts';
import type { DeviceIdentity } from './device-key.ts';
import { KassaApiError, signedOutError } from './errors.ts';
import type { SdkStorage, StoredSession } from './storage.ts';
import { tokenSubject } from './token-subject.ts';
import { callApi, type TransportOptions } from './transport.ts';
import type { SessionTokens } from './types.ts';

/** Refresh the access token when it has less than this left. */
const refreshMarginMs = 30_000;

export interface SessionKeeperDeps {
  readonly storage: SdkStorage;
  readonly lock: Lock;
  readonly transport: TransportOptions;
  readonly now: () => number;
  readonly newId: () => string;
  /** The device key of a user: a refresh of their session is signed with it. */
  readonly deviceOf: (owner: string) => Promise<DeviceIdentity | null>;
}

/** Whether an answer is a pair of session tokens (and not a portal's page, say). */
export function isSessionTokens(answer: Record<string, unknown>): boolean {
  return (
    typeof answer['access_token'] === 'string' &&
    typeof answer['refresh_token'] === 'string' &&
    typeof answer['expires_in'] === 'number'
  );
}

/**
 * The session of the user signed in on this device, shared by its tabs: the stored session is
 * the truth (read before each use), one tab at a time refreshes it (a lock across tabs; refresh
 * tokens are single-use and a reused one ends the session), and a tab that waited for another's
 * refresh uses the new tokens instead of spending the old refresh token again.
 */
export function createSessionKeeper(deps: SessionKeeperDeps) {
  let current: StoredSession | null = null;
  const listeners = new Set<() => void>();
  let refreshing: Promise<StoredSession> | undefined;

  /** Keeps the last session seen; listeners hear when the signed-in user changes. */
  function remember(next: StoredSession | null): void {
    const changed = (current?.user_id ?? null) !== (next?.user_id ?? null);
    current = next;
    if (changed) for (const listener of listeners) listener();
  }

  async function read(): Promise<StoredSession | null> {
    const session = await deps.storage.readSession();
    remember(session);
    return session;
  }

  const stored = (tokens: SessionTokens, userId: string, email: string | null): StoredSession => ({
    ...tokens,
    expires_at_ms: deps.now() + tokens.expires_in * 1000,
    user_id: userId,
    email,
  });

  /** `POST /v1/sessions/refresh`, signed by the user's device key when there is one. */
  async function exchange(session: StoredSession): Promise<SessionTokens> {
    const device = await deps.deviceOf(session.user_id);
    return (await callApi(deps.transport, {
      method: 'POST',
      path: '/v1/sessions/refresh',
      body: { refresh_token: session.refresh_token },
      ...(device === null ? {} : { device, idempotencyKey: deps.newId() }),
      accepts: isSessionTokens,
    })) as SessionTokens;
  }

  function refreshOnce(stale: string): Promise<StoredSession> {
    return deps.lock('session', async () => {
      const session = await read();
      if (session === null) throw signedOutError();
      // Another tab refreshed while this one waited for the lock: its tokens are the ones to use.
      // (Refresh tokens are compared: two access tokens issued in one second can be equal.)
      if (session.refresh_token !== stale) return session;
      let tokens: SessionTokens;
      try {
        tokens = await exchange(session);
      } catch (error) {
        // Kassa ended the session (revoked, expired, reused): it ends here too, so the app offers
        // log-in instead of failing on every screen. A portal's 401 is not Kassa's word.
        if (error instanceof KassaApiError && error.type === 'authentication_error') {
          if (await deps.storage.swapSession(session.refresh_token, null)) remember(null);
          throw signedOutError();
        }
        throw error;
      }
      const next = stored(tokens, session.user_id, session.email);
      // A log-out (or log-in) in another tab meanwhile wins over this refresh.
      if (!(await deps.storage.swapSession(session.refresh_token, next))) {
        const now = await read();
        if (now === null) throw signedOutError();
        return now;
      }
      remember(next);
      return next;
    });
  }

  /** Trades the refresh token `stale` for a new pair, unless another tab already did. */
  function refresh(stale: string): Promise<StoredSession> {
    refreshing ??= refreshOnce(stale).finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  return {
    /** The session last seen (for synchronous questions: signed in? who?). */
    current: (): StoredSession | null => current,
    reload: async (): Promise<void> => void (await read()),
    refresh,

    /** The session of `owner` (of whoever is signed in, without one), refreshed if due. */
    async usable(owner?: string): Promise<StoredSession> {
      let session = await read();
      if (session === null || (owner !== undefined && session.user_id !== owner))
        throw signedOutError();
      if (session.expires_at_ms - deps.now() < refreshMarginMs)
        session = await refresh(session.refresh_token);
      if (owner !== undefined && session.user_id !== owner) throw signedOutError();
      return session;
    },

    /** Keeps the tokens of a log-in: the access token's subject is the user from now on. */
    async establish(tokens: SessionTokens, email: string | null): Promise<StoredSession> {
      const userId = tokenSubject(tokens.access_token);
      if (userId === null) throw new Error('Kassa issued an access token without a subject');
      const next = stored(tokens, userId, email);
      await deps.storage.writeSession(next);
      remember(next);
      return next;
    },

    /** Forgets the session on this device at once (whatever the server says); returns it. */
    async end(): Promise<StoredSession | null> {
      const ended = await deps.storage.readSession();
      await deps.storage.writeSession(null);
      remember(null);
      return ended;
    },

    /** Ends `ended` on the server too; an expired access token is refreshed once for it. */
    async revokeOnServer(ended: StoredSession): Promise<void> {
      const logOut = (token: string) =>
        callApi(deps.transport, { method: 'DELETE', path: '/v1/sessions/current', token });
      try {
        await logOut(ended.access_token);
      } catch (error) {
        if (!(error instanceof KassaApiError) || error.code !== 'authentication_required')
          throw error;
        await logOut((await exchange(ended)).access_token);
      }
    },

    /** Calls `listener` when the signed-in user changes (log-in, log-out, session ended). */
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type SessionKeeper = ReturnType<typeof createSessionKeeper>;
