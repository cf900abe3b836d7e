import { legitimate, type EventRecorder } from './event-recorder.ts';
import type { LookAlike, RequestOrigin } from './risk-event.ts';
import type { SeededRandom } from './seeded-random.ts';
import { dayMs, vpnExits, type SimUser, type SimulatedWorld } from './simulated-world.ts';
import { awayAt, deviceAt, type UserPlan } from './user-plans.ts';

interface Context {
  readonly origin: RequestOrigin;
  readonly lookAlike: LookAlike | null;
  readonly abroad: boolean;
}

/**
 * Ordinary life: each user spends at favourite merchants, pays friends, tops up, pays out and
 * now and then gets a refund; travellers roam (their phone's IP shows home while the hotel
 * Wi-Fi shows the trip), VPN users hop between exits, families share a tablet, sellers collect
 * from many customers and pay out in the evening.
 */
export function simulateEverydayActivity(
  world: SimulatedWorld,
  recorder: EventRecorder,
  random: SeededRandom,
  plans: ReadonlyMap<string, UserPlan>,
): void {
  for (const user of world.users) {
    const r = random.fork(user.id);
    const plan = plans.get(user.id);
    for (let day = 0; day < world.days; day += 1) {
      const dayStartMs = world.startMs + day * dayMs;
      const weekend = day % 7 >= 5;
      const count = r.poisson(user.dailyRate * (weekend ? 1.2 : 1));
      for (let i = 0; i < count; i += 1) {
        const atMs = world.localMoment(dayStartMs, user.home, r);
        if (atMs <= user.createdAtMs) continue;
        everydayMovement(world, recorder, r, user, contextAt(world, r, user, plan, atMs), atMs);
      }
      if (user.seller && dayStartMs > user.createdAtMs)
        sellerDay(world, recorder, r, user, plan, dayStartMs);
    }
  }
}

function contextAt(
  world: SimulatedWorld,
  random: SeededRandom,
  user: SimUser,
  plan: UserPlan | undefined,
  atMs: number,
): Context {
  const device = deviceAt(user, plan, atMs, random);
  const trip = awayAt(plan, atMs);
  if (trip !== null) {
    const origin = random.chance(0.5)
      ? world.origin(device, `roaming:${user.home.country}:${random.int(20)}`, user.home)
      : world.origin(device, `hotel:${trip.city.name}:${random.int(30)}`, trip.city);
    return { origin, lookAlike: 'traveller', abroad: true };
  }
  if (user.vpnUser && random.chance(0.4)) {
    const exit = vpnExits[user.index % vpnExits.length] ?? user.home;
    const origin = world.origin(device, `vpn:${exit.name}:${random.int(8)}`, exit, true);
    return { origin, lookAlike: 'vpn_user', abroad: false };
  }
  const switched = plan?.phoneSwitch;
  const recentSwitch =
    switched !== null &&
    switched !== undefined &&
    device === switched.device &&
    atMs - switched.device.enrolledAtMs < 2 * dayMs;
  return {
    origin: world.homeOrigin(user, random, device),
    lookAlike: device.shared === true ? 'shared_device' : recentSwitch ? switched.episode : null,
    abroad: false,
  };
}

function everydayMovement(
  world: SimulatedWorld,
  recorder: EventRecorder,
  r: SeededRandom,
  user: SimUser,
  context: Context,
  atMs: number,
): void {
  const { origin, lookAlike } = context;
  const base = { atMs, userId: user.id, origin, truth: legitimate(lookAlike) };
  const card = user.cards.length === 0 ? null : r.pick(user.cards);
  const roll = r.next();
  if (roll < 0.56) {
    const merchant =
      context.abroad || r.chance(0.12) || user.merchants.length === 0
        ? r.pick(world.merchants)
        : r.pick(user.merchants);
    const scale = merchant.category === 'luxury' || merchant.category === 'travel' ? 4 : 1;
    const amountMinor = r.logNormal(user.amountMedianMinor * scale, 0.7);
    recorder.movement({
      ...base,
      kind: 'merchant_payment',
      counterpartyId: merchant.id,
      amountMinor,
      cardFingerprint: r.chance(0.35) ? card : null,
      merchantCategory: merchant.category,
    });
    maybeRefund(world, recorder, r, user, merchant.id, merchant.category, amountMinor, atMs);
  } else if (roll < 0.8) {
    const known = user.friends.length > 0 && r.chance(0.9);
    const payee = known ? r.pick(user.friends) : r.pick(world.users).id;
    if (payee === user.id) return;
    const amountMinor = r.logNormal(user.amountMedianMinor * 1.5, 0.8);
    recorder.movement({ ...base, kind: 'p2p', counterpartyId: payee, amountMinor });
  } else if (roll < 0.96) {
    const amountMinor = Math.ceil(r.logNormal(user.amountMedianMinor * 4, 0.5) / 500) * 500;
    recorder.movement({
      ...base,
      kind: 'top_up',
      counterpartyId: card === null ? 'bank_transfer' : 'card_issuer',
      amountMinor,
      cardFingerprint: card,
    });
  } else {
    const amountMinor = r.logNormal(user.amountMedianMinor * 5, 0.6);
    recorder.movement({ ...base, kind: 'payout', counterpartyId: `iban_${user.id}`, amountMinor });
  }
}

/** Returns: most refunds repay the purchase (some in part); a few are goodwill, above it. */
function maybeRefund(
  world: SimulatedWorld,
  recorder: EventRecorder,
  r: SeededRandom,
  user: SimUser,
  merchantId: string,
  category: string,
  paidMinor: number,
  paidAtMs: number,
): void {
  const returnable = category === 'fashion' || category === 'electronics';
  const probability = user.serialReturner ? (returnable ? 0.45 : 0.15) : returnable ? 0.04 : 0.01;
  const goodwill = r.chance(0.004);
  if (!goodwill && !r.chance(probability)) return;
  const atMs = paidAtMs + r.between(0.5, 14) * dayMs;
  const lookAlike: LookAlike | null = goodwill
    ? 'goodwill_refund'
    : user.serialReturner
      ? 'serial_returner'
      : null;
  const base = {
    atMs,
    kind: 'refund' as const,
    userId: user.id,
    counterpartyId: merchantId,
    origin: world.homeOrigin(user, r),
    truth: legitimate(lookAlike),
  };
  if (goodwill && r.chance(0.5)) {
    recorder.movement({ ...base, amountMinor: paidMinor * r.between(0.6, 0.8) });
    recorder.movement({
      ...base,
      atMs: atMs + r.between(1, 5) * dayMs,
      amountMinor: paidMinor * r.between(0.5, 0.7),
    });
    return;
  }
  const share = goodwill ? r.between(1.1, 1.6) : r.chance(0.8) ? 1 : r.between(0.2, 0.9);
  recorder.movement({ ...base, amountMinor: paidMinor * share });
}

/** A small business paid by many customers (some regulars), paying out in the evening. */
function sellerDay(
  world: SimulatedWorld,
  recorder: EventRecorder,
  r: SeededRandom,
  seller: SimUser,
  plan: UserPlan | undefined,
  dayStartMs: number,
): void {
  let receivedMinor = 0;
  const sales = r.poisson(4);
  for (let i = 0; i < sales; i += 1) {
    const regular = seller.friends.length > 0 && r.chance(0.4);
    const customer = regular
      ? (world.usersById.get(r.pick(seller.friends)) ?? seller)
      : r.pick(world.users);
    const atMs = world.localMoment(dayStartMs, seller.home, r);
    if (customer === seller || atMs <= customer.createdAtMs) continue;
    const amountMinor = r.logNormal(3500, 0.7);
    receivedMinor += amountMinor;
    recorder.movement({
      atMs,
      kind: 'p2p',
      userId: customer.id,
      counterpartyId: seller.id,
      amountMinor,
      origin: world.homeOrigin(customer, r, deviceAt(customer, undefined, atMs, r)),
      truth: legitimate('seller'),
    });
  }
  if (receivedMinor < 1000 || !r.chance(0.8)) return;
  const payoutAtMs = dayStartMs + (21 + r.between(0, 2.5) - seller.home.longitude / 15) * 3_600_000;
  recorder.movement({
    atMs: payoutAtMs,
    kind: 'payout',
    userId: seller.id,
    counterpartyId: `iban_${seller.id}`,
    amountMinor: receivedMinor * r.between(0.6, 1),
    origin: world.homeOrigin(seller, r, deviceAt(seller, plan, payoutAtMs, r)),
    truth: legitimate('seller'),
  });
}
