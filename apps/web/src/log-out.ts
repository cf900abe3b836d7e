import { forgetCached } from './offline-cache.ts';
import type { App } from './app.ts';
import { forgetMe } from './last-seen.ts';
import { forgetRecipients } from './recent-recipients.ts';

/**
 * Logs out and shows the log-in screen. Always works: the SDK forgets the session on this phone
 * even when Kassa cannot be reached or had already ended the session.
 */
export async function logOut(app: App): Promise<void> {
  const userId = app.kassa.userId();
  await app.kassa.logOut();
  if (userId !== null) {
    forgetMe(userId);
    forgetRecipients(userId);
    forgetCached(userId);
  }
  app.me = null;
  // The session change usually got there first: drawing Log in again would clear what the
  // person started typing.
  if (location.hash !== '#/login') app.go('#/login');
}
