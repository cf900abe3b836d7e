import { KassaNetworkError, type Me } from '@kassa/sdk';
import type { App } from './app.ts';
import { lastSeenMe, rememberMe } from './last-seen.ts';

/**
 * What a screen last read, kept on this phone per user, so no tab says "did not load" offline:
 * the answer from Kassa when it answers (and kept), else the last one kept, marked stale with
 * when it was read. Only a lost connection falls back; Kassa's own refusals still show.
 */
export interface Maybe<T> {
  readonly value: T;
  /** Set when this is the copy kept on the phone: when Kassa last said it. */
  readonly asOf: Date | null;
}

const keyOf = (userId: string, what: string) => `kassa:cache:${userId}:${what}`;

export async function readThrough<T>(
  app: App,
  what: string,
  read: () => Promise<T>,
): Promise<Maybe<T>> {
  const key = keyOf(app.kassa.userId() ?? '', what);
  try {
    const value = await read();
    localStorage.setItem(key, JSON.stringify({ at: Date.now(), value }));
    return { value, asOf: null };
  } catch (error) {
    const kept = localStorage.getItem(key);
    if (!(error instanceof KassaNetworkError) || kept === null) throw error;
    const { at, value } = JSON.parse(kept) as { at: number; value: T };
    return { value, asOf: new Date(at) };
  }
}

/**
 * The signed-in user and wallets from Kassa (kept as last seen), else, offline, as last seen on
 * this phone (`stale`).
 */
export async function freshMe(app: App): Promise<{ me: Me; stale: boolean }> {
  const userId = app.kassa.userId() ?? '';
  try {
    const me = await app.kassa.me();
    rememberMe(userId, me);
    app.me = me;
    return { me, stale: false };
  } catch (error) {
    const known = app.me ?? lastSeenMe(userId);
    if (!(error instanceof KassaNetworkError) || known === null) throw error;
    app.me = known;
    return { me: known, stale: true };
  }
}

/** The user and wallets already in hand, else `freshMe`. */
export async function currentMe(app: App): Promise<Me> {
  return app.me ?? (await freshMe(app)).me;
}

/** Forgets what was kept for a user (log-out). */
export function forgetCached(userId: string): void {
  const prefix = keyOf(userId, '');
  for (let i = localStorage.length - 1; i >= 0; i -= 1) {
    const key = localStorage.key(i);
    if (key?.startsWith(prefix) === true) localStorage.removeItem(key);
  }
}
