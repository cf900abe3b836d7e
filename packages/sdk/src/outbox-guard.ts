import { byCreation, isUnsettled, type OutboxRecord } from './outbox-record.ts';
import { outboxRouteOf, type outboxRoutes, type OutboxKind } from './outbox-routes.ts';
import { recordMacMatches } from './record-mac.ts';

/**
 * Why the device refuses to send a stored record. The record is then failed with
 * `money_moved: false` (nothing was sent), and the person is told to make the payment again.
 */
export const outboxRefusals = {
  route_not_allowed: 'This payment was not made in this app, so it was not sent.',
  record_not_sealed:
    'This payment was queued before an app update and cannot be checked, so it was not sent. Make it again if you still want to.',
  record_not_as_reviewed:
    'This payment was changed on this phone after you reviewed it, so it was not sent. Make it again if you still want to.',
  offline_limit_exceeded:
    'More was queued on this phone while offline than its offline limit allows, so this payment was not sent. Make it again now that you are online.',
} as const;
export type OutboxRefusal = keyof typeof outboxRefusals;

export type SendCheck =
  | { readonly send: true; readonly route: (typeof outboxRoutes)[OutboxKind] }
  | { readonly send: false; readonly refusal: OutboxRefusal };

function amountOf(record: OutboxRecord): number {
  const amount: unknown = record.body.amount;
  return typeof amount === 'number' && Number.isSafeInteger(amount) && amount > 0 ? amount : 0;
}

/**
 * What waited on the device in the record's currency when it was queued: the unsettled records
 * of its owner made up to and including it. Records refused earlier in the same flush are
 * already settled (failed), so a forged older record cannot push a real one over the limit.
 */
function waitingUpTo(record: OutboxRecord, owned: readonly OutboxRecord[]): number {
  return owned
    .filter(
      (r) =>
        r.owner === record.owner &&
        r.body.currency === record.body.currency &&
        (r.id === record.id || (isUnsettled(r) && byCreation(r, record) < 0)),
    )
    .reduce((sum, r) => sum + amountOf(r), 0);
}

/**
 * Checks a stored record just before it is sent: its kind has a route on the allow-list, it is
 * sealed and its MAC matches what the person reviewed, and, if it was queued offline, it is
 * still within the offline limit. `owned` is every stored record of the same owner.
 */
export async function checkBeforeSend(
  record: OutboxRecord,
  owned: readonly OutboxRecord[],
  limits: { readonly key: CryptoKey; readonly offlineLimitMinor: number },
): Promise<SendCheck> {
  const route = outboxRouteOf(record.kind);
  if (route === null) return { send: false, refusal: 'route_not_allowed' };
  // Queued by an earlier version of the SDK (see legacy-state.ts), before records were sealed.
  if (record.mac === '') return { send: false, refusal: 'record_not_sealed' };
  if (!(await recordMacMatches(limits.key, record)))
    return { send: false, refusal: 'record_not_as_reviewed' };
  if (record.queuedOffline && waitingUpTo(record, owned) > limits.offlineLimitMinor)
    return { send: false, refusal: 'offline_limit_exceeded' };
  return { send: true, route };
}
