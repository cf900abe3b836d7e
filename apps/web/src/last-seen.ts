import type { Me } from '@kassa/sdk';

/** Where the last profile and balance a user saw are kept, for opening the app offline. */
const keyOf = (userId: string) => `kassa:last-seen:${userId}`;
/** Before profiles were kept per user, one key held whoever was last signed in. */
const unkeyed = 'kassa:last-seen';

/** Keeps `me` as what `userId` last saw (never shown to anyone else signed in on this phone). */
export function rememberMe(userId: string, me: Me): void {
  localStorage.removeItem(unkeyed);
  localStorage.setItem(keyOf(userId), JSON.stringify(me));
}

export function lastSeenMe(userId: string): Me | null {
  const text = localStorage.getItem(keyOf(userId));
  return text === null ? null : (JSON.parse(text) as Me);
}

export function forgetMe(userId: string): void {
  localStorage.removeItem(unkeyed);
  localStorage.removeItem(keyOf(userId));
}
