/**
 * How much (minor units, per currency) may wait on the phone while offline: 50.00. The page and
 * the service worker must agree, since the SDK checks it again when a queued payment is sent.
 */
export const offlineLimitMinor = 5_000;
