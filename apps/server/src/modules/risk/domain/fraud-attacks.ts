import { fraudulent, legitimate } from './event-recorder.ts';
import type { FraudContext } from './fraud-context.ts';
import type { MerchantCategory } from './risk-event.ts';
import { dayMs, type SimUser } from './simulated-world.ts';

const minuteMs = 60_000;
const hourMs = 3_600_000;
const riskyCategories: readonly MerchantCategory[] = [
  'gift_cards',
  'electronics',
  'crypto',
  'luxury',
];

/**
 * Account takeover: stolen credentials on a new device, then a password or phone change and
 * transfers to mules, several times the victim's usual amount. One in seven attackers waits
 * days and takes less.
 */
export function accountTakeover(context: FraudContext): void {
  const { world, recorder, random: r } = context;
  const truth = fraudulent('account_takeover', context.caseId('account_takeover'));
  const startMs = context.moment(1);
  const victim = context.establishedUser(startMs);
  const patient = r.chance(0.15);
  const device = world.fraudDevice(r, startMs, victim.home.country);
  const network = context.network({
    foreign: 0.3,
    domestic: 0.3,
    proxy_near_victim: 0.3,
    datacenter: 0.1,
  });
  const origin = () => context.attackerOrigin(device, victim.home, network);
  recorder.account('device_enrolled', victim.id, startMs, origin());
  const credential = r.next();
  const changedAtMs = startMs + r.between(1, 20) * minuteMs;
  if (credential < 0.6) recorder.account('password_changed', victim.id, changedAtMs, origin());
  else if (credential < 0.85) recorder.account('phone_changed', victim.id, changedAtMs, origin());
  let t = startMs + (patient ? r.between(1, 4) * dayMs : r.between(5, 240) * minuteMs);
  for (let i = patient ? 1 : r.intBetween(1, 4); i > 0; i -= 1) {
    const toBank = r.chance(0.2);
    recorder.movement({
      atMs: t,
      kind: toBank ? 'payout' : 'p2p',
      userId: victim.id,
      counterpartyId: toBank ? `iban_${truth.caseId}` : context.muleAccount(t),
      amountMinor: victim.amountMedianMinor * (patient ? r.between(1.5, 3) : r.between(4, 25)),
      origin: origin(),
      truth,
    });
    t += r.between(2, 40) * minuteMs;
  }
}

/**
 * Velocity burst: someone in control of the victim's phone (remote-access malware) or of a
 * session enrolled days earlier buys in a hurry, mostly gift cards, electronics and crypto at
 * shops new to the victim. One in five bursts is short and ordinary-looking.
 */
export function velocityBurst(context: FraudContext): void {
  const { world, recorder, random: r } = context;
  const truth = fraudulent('velocity_burst', context.caseId('velocity_burst'));
  const startMs = context.moment(1);
  const victim = context.establishedUser(startMs);
  const quiet = r.chance(0.2);
  let origin = () => world.homeOrigin(victim, r);
  if (!r.chance(0.6)) {
    const device = world.fraudDevice(r, startMs - r.between(2, 20) * dayMs, victim.home.country);
    const network = context.network({
      proxy_near_victim: 0.5,
      domestic: 0.3,
      foreign: 0.2,
      datacenter: 0,
    });
    origin = () => context.attackerOrigin(device, victim.home, network);
    recorder.account('device_enrolled', victim.id, device.enrolledAtMs, origin());
  }
  const count = quiet ? r.intBetween(4, 7) : r.intBetween(8, 25);
  const spanMs = (quiet ? r.between(2, 4) : r.between(0.3, 1.5)) * hourMs;
  for (let i = 0; i < count; i += 1) {
    const merchant =
      !quiet && r.chance(0.75) ? world.merchantIn(r, riskyCategories) : r.pick(world.merchants);
    recorder.movement({
      atMs: startMs + (spanMs * i) / count + r.between(0, 2) * minuteMs,
      kind: 'merchant_payment',
      userId: victim.id,
      counterpartyId: merchant.id,
      amountMinor: quiet
        ? r.logNormal(victim.amountMedianMinor, 0.5)
        : victim.amountMedianMinor * r.between(1, 4),
      cardFingerprint: r.chance(0.5) ? (victim.cards[0] ?? null) : null,
      merchantCategory: merchant.category,
      origin: origin(),
      truth,
    });
  }
}

/**
 * New device, high value: a SIM swap or stolen one-time code enrols a new device without
 * touching the password, and within hours makes one or two large payments or transfers.
 * One in five keeps the amount modest.
 */
export function newDeviceHighValue(context: FraudContext): void {
  const { world, recorder, random: r } = context;
  const truth = fraudulent('new_device_high_value', context.caseId('new_device_high_value'));
  const startMs = context.moment(1);
  const victim = context.establishedUser(startMs);
  const modest = r.chance(0.2);
  const device = world.fraudDevice(r, startMs, victim.home.country);
  const network = context.network({
    proxy_near_victim: 0.45,
    domestic: 0.3,
    foreign: 0.15,
    datacenter: 0.1,
  });
  const origin = () => context.attackerOrigin(device, victim.home, network);
  recorder.account('device_enrolled', victim.id, startMs, origin());
  if (r.chance(0.15))
    recorder.account('phone_changed', victim.id, startMs + r.between(1, 5) * minuteMs, origin());
  for (let i = r.chance(0.7) ? 1 : 2; i > 0; i -= 1) {
    const atMs = startMs + r.between(3, 180) * minuteMs;
    const amountMinor = victim.amountMedianMinor * (modest ? r.between(2, 4) : r.between(6, 30));
    if (r.chance(0.6)) {
      const merchant = world.merchantIn(r, ['electronics', 'luxury', 'gift_cards']);
      recorder.movement({
        atMs,
        kind: 'merchant_payment',
        userId: victim.id,
        counterpartyId: merchant.id,
        amountMinor,
        cardFingerprint: r.chance(0.5) ? (victim.cards[0] ?? null) : null,
        merchantCategory: merchant.category,
        origin: origin(),
        truth,
      });
    } else {
      const payee = context.muleAccount(atMs);
      recorder.movement({
        atMs,
        kind: 'p2p',
        userId: victim.id,
        counterpartyId: payee,
        amountMinor,
        origin: origin(),
        truth,
      });
    }
  }
}

/**
 * Impossible travel: a stolen session token (the victim's own device key) used far away minutes
 * after the victim paid at home. One in seven attackers hides behind a proxy in the victim's
 * own city, leaving no travel signal.
 */
export function impossibleTravel(context: FraudContext): void {
  const { world, recorder, random: r } = context;
  const truth = fraudulent('impossible_travel', context.caseId('impossible_travel'));
  const startMs = context.moment(1);
  const victim: SimUser = context.establishedUser(startMs);
  const device = victim.devices[0];
  if (device === undefined) return;
  const merchant = r.pick(victim.merchants.length > 0 ? victim.merchants : world.merchants);
  recorder.movement({
    atMs: startMs,
    kind: 'merchant_payment',
    userId: victim.id,
    counterpartyId: merchant.id,
    amountMinor: r.logNormal(victim.amountMedianMinor, 0.6),
    merchantCategory: merchant.category,
    origin: world.homeOrigin(victim, r, device),
    truth: legitimate(),
  });
  const network = r.chance(0.15)
    ? 'proxy_near_victim'
    : context.network({ foreign: 0.8, datacenter: 0.2, domestic: 0, proxy_near_victim: 0 });
  const origin = context.attackerOrigin(device, victim.home, network);
  let t = startMs + r.between(5, 120) * minuteMs;
  for (let i = r.intBetween(1, 3); i > 0; i -= 1) {
    const amountMinor = victim.amountMedianMinor * r.between(2, 8);
    if (r.chance(0.5)) {
      const target = world.merchantIn(
        r,
        r.chance(0.6) ? riskyCategories : ['restaurant', 'fashion'],
      );
      recorder.movement({
        atMs: t,
        kind: 'merchant_payment',
        userId: victim.id,
        counterpartyId: target.id,
        amountMinor,
        merchantCategory: target.category,
        origin,
        truth,
      });
    } else {
      const payee = context.muleAccount(t);
      recorder.movement({
        atMs: t,
        kind: 'p2p',
        userId: victim.id,
        counterpartyId: payee,
        amountMinor,
        origin,
        truth,
      });
    }
    t += r.between(1, 30) * minuteMs;
  }
}
