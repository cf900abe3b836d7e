/**
 * The email last used to log in on this phone: Log in opens with it filled in, and a signed-out
 * phone that has one opens on Log in rather than sign-up (a returning user, not a new one).
 */
const key = 'kassa:last-email';

export const rememberEmail = (email: string): void => localStorage.setItem(key, email.trim());
export const rememberedEmail = (): string | null => localStorage.getItem(key);

/** Where a signed-out visitor starts: Log in when someone logged in here before. */
export const signedOutRoute = (): string => (rememberedEmail() === null ? '#/welcome' : '#/login');
