import { fraudulent, legitimate } from './event-recorder.ts';
import type { FraudContext } from './fraud-context.ts';
import { dayMs, homeCities } from './simulated-world.ts';

const minuteMs = 60_000;
const hourMs = 3_600_000;

/**
 * Card testing: a fraudster opens a few accounts on one device and tops up with stolen cards,
 * small amounts in quick succession, then cashes out on gift cards. A quarter of campaigns are
 * slow and careful (one account, a normal phone, a residential proxy, ordinary amounts).
 */
export function cardTesting(context: FraudContext): void {
  const { world, recorder, random: r } = context;
  const truth = fraudulent('card_testing', context.caseId('card_testing'));
  const slow = r.chance(0.25);
  const home = r.pick(homeCities);
  const startMs = context.moment(2);
  const device = slow
    ? world.ordinaryDevice(home.country, r, startMs)
    : world.fraudDevice(r, startMs, home.country);
  const network = slow
    ? 'proxy_near_victim'
    : context.network({ datacenter: 0.45, proxy_near_victim: 0.35, domestic: 0.2, foreign: 0 });
  const accounts = Array.from({ length: slow ? 1 : r.intBetween(1, 4) }, () =>
    context.openAccount(
      startMs - r.between(0.02, slow ? 20 : 3) * dayMs,
      context.attackerOrigin(device, home, network),
    ),
  );
  const cards = slow ? r.intBetween(4, 10) : r.intBetween(6, 30);
  const gapMinutes = slow ? 90 : r.between(0.5, 8);
  let t = startMs;
  let lastCard = '';
  for (let i = 0; i < cards; i += 1) {
    lastCard = world.newCard();
    for (let attempt = r.chance(0.2) ? 2 : 1; attempt > 0; attempt -= 1) {
      recorder.movement({
        atMs: t,
        kind: 'top_up',
        userId: r.pick(accounts),
        counterpartyId: 'card_issuer',
        amountMinor: slow
          ? r.between(500, 2500)
          : r.chance(0.8)
            ? r.intBetween(1, 5) * 100
            : r.intBetween(10, 20) * 100,
        cardFingerprint: lastCard,
        origin: context.attackerOrigin(device, home, network),
        truth,
      });
      t += r.exponential(gapMinutes) * minuteMs;
    }
  }
  for (let i = r.intBetween(0, 2); i > 0; i -= 1) {
    const merchant = world.merchantIn(r, ['gift_cards', 'crypto', 'electronics']);
    t += r.between(5, 120) * minuteMs;
    recorder.movement({
      atMs: t,
      kind: 'merchant_payment',
      userId: r.pick(accounts),
      counterpartyId: merchant.id,
      amountMinor: r.between(3_000, 15_000),
      cardFingerprint: lastCard,
      merchantCategory: merchant.category,
      origin: context.attackerOrigin(device, home, network),
      truth,
    });
  }
}

/**
 * Mule fan-in and fan-out: scam victims send money (from their own phones, to a payee new to
 * them) into a mule account, fresh or recruited from existing customers, which passes it on
 * within hours by payout or to the next mule. One in five rings is slow (days, few victims).
 */
export function muleRing(context: FraudContext): void {
  const { world, recorder, random: r } = context;
  const caseId = context.caseId('mule');
  const truth = fraudulent('mule', caseId);
  const slow = r.chance(0.2);
  const startMs = context.moment(slow ? 7 : 4);
  const recruited = r.chance(0.5) ? context.establishedUser(startMs) : null;
  const home = recruited?.home ?? r.pick(homeCities);
  const device = recruited?.devices[0] ?? world.ordinaryDevice(home.country, r, startMs);
  const muleId =
    recruited?.id ??
    context.openAccount(
      startMs - r.between(1, 25) * dayMs,
      world.origin(device, `home:${device.id}`, home),
    );
  const muleOrigin = () => world.homeOriginOf(muleId, device, home, r);
  const victims = slow ? r.intBetween(3, 6) : r.intBetween(5, 18);
  const spanMs = (slow ? r.between(4, 7) : r.between(1, 3)) * dayMs;
  let pendingMinor = 0;
  let outflows = 0;
  for (let v = 0; v < victims; v += 1) {
    const atMs = startMs + (spanMs * v) / victims + r.between(0, 2) * hourMs;
    const victim = context.establishedUser(atMs);
    const amountMinor = victim.amountMedianMinor * r.between(3, 12);
    pendingMinor += amountMinor;
    recorder.movement({
      atMs,
      kind: 'p2p',
      userId: victim.id,
      counterpartyId: muleId,
      amountMinor,
      origin: world.homeOrigin(victim, r),
      truth,
    });
    if (!r.chance(slow ? 0.3 : 0.5) && v < victims - 1) continue;
    const outAtMs = atMs + (slow ? r.between(10, 30) * hourMs : r.between(5, 180) * minuteMs);
    outflows += 1;
    const toBank = r.chance(0.7);
    recorder.movement({
      atMs: outAtMs,
      kind: toBank ? 'payout' : 'p2p',
      userId: muleId,
      counterpartyId: toBank
        ? `iban_${caseId}_${r.chance(0.3) ? outflows : 0}`
        : context.muleAccount(outAtMs),
      amountMinor: pendingMinor * r.between(0.9, 1),
      origin: muleOrigin(),
      truth,
    });
    pendingMinor = 0;
  }
}

/**
 * Refund abuse: refunds beyond what was paid. Either one purchase refunded several times, or
 * refunds from a colluding merchant with no purchase at all, or (the careful kind) a refund a
 * little above the purchase, as goodwill refunds are. The purchases themselves are genuine.
 */
export function refundAbuse(context: FraudContext): void {
  const { world, recorder, random: r } = context;
  const truth = fraudulent('refund_abuse', context.caseId('refund_abuse'));
  const startMs = context.moment(6);
  const existing = r.chance(0.4) ? context.establishedUser(startMs) : null;
  const home = existing?.home ?? r.pick(homeCities);
  const device = existing?.devices[0] ?? world.ordinaryDevice(home.country, r, startMs);
  const userId =
    existing?.id ??
    context.openAccount(
      startMs - r.between(1, 30) * dayMs,
      world.origin(device, `home:${device.id}`, home),
    );
  const origin = () => world.homeOriginOf(userId, device, home, r);
  const merchant = world.merchantIn(r, ['fashion', 'electronics', 'luxury']);
  const pattern = r.next();
  const paidMinor = r.logNormal(6_000, 0.6);
  const refund = (atMs: number, amountMinor: number) =>
    recorder.movement({
      atMs,
      kind: 'refund',
      userId,
      counterpartyId: merchant.id,
      amountMinor,
      origin: origin(),
      truth,
    });
  if (pattern < 0.75) {
    recorder.movement({
      atMs: startMs,
      kind: 'merchant_payment',
      userId,
      counterpartyId: merchant.id,
      amountMinor: paidMinor,
      merchantCategory: merchant.category,
      origin: origin(),
      truth: legitimate(),
    });
  }
  if (pattern < 0.45) {
    let t = startMs;
    for (let i = r.intBetween(2, 4); i > 0; i -= 1) {
      t += r.between(0.3, 2) * dayMs;
      refund(t, paidMinor * r.between(0.9, 1));
    }
  } else if (pattern < 0.75) {
    refund(startMs + r.between(1, 6) * dayMs, paidMinor * r.between(1.2, 1.8));
  } else {
    let t = startMs;
    for (let i = r.intBetween(2, 5); i > 0; i -= 1) {
      t += r.between(0.2, 1.5) * dayMs;
      refund(t, r.logNormal(8_000, 0.5));
    }
  }
}
