import { legitimate, type EventRecorder } from './event-recorder.ts';
import type { LookAlike } from './risk-event.ts';
import type { SeededRandom } from './seeded-random.ts';
import { dayMs, type SimUser, type SimulatedWorld } from './simulated-world.ts';
import { deviceAt, type UserPlan } from './user-plans.ts';

const minuteMs = 60_000;
const hourMs = 3_600_000;

/**
 * The legitimate behaviours that look like fraud, played after the warm-up: new phones (with
 * phone-number and password changes, sometimes an expensive purchase or a new payee), flights,
 * new cards tried with small top-ups, bill splits paid by several friends at once, and
 * shopping sprees.
 */
export function simulateLookAlikes(
  world: SimulatedWorld,
  recorder: EventRecorder,
  random: SeededRandom,
  plans: ReadonlyMap<string, UserPlan>,
  warmupDays: number,
): void {
  for (const user of world.users) {
    const r = random.fork(`look-alike:${user.id}`);
    const plan = plans.get(user.id);
    if (plan?.phoneSwitch) phoneSwitch(world, recorder, r, user, plan);
    if (plan?.trip) flights(world, recorder, r, user, plan);
    for (let day = warmupDays; day < world.days; day += 1) {
      const dayStartMs = world.startMs + day * dayMs;
      if (dayStartMs <= user.createdAtMs) continue;
      const atMs = world.localMoment(dayStartMs, user.home, r);
      if (r.chance(0.0012)) cardAdder(world, recorder, r, user, plan, atMs);
      if (r.chance(0.004)) billSplit(world, recorder, r, user, atMs);
      if (r.chance(0.003)) shoppingSpree(world, recorder, r, user, plan, atMs);
    }
  }
}

function phoneSwitch(
  world: SimulatedWorld,
  recorder: EventRecorder,
  r: SeededRandom,
  user: SimUser,
  plan: UserPlan,
): void {
  const change = plan.phoneSwitch;
  if (change === null) return;
  const atMs = change.device.enrolledAtMs;
  const origin = () => world.homeOrigin(user, r, change.device);
  recorder.account('device_enrolled', user.id, atMs, origin());
  if (change.changesPhoneNumber)
    recorder.account('phone_changed', user.id, atMs + r.between(1, 30) * minuteMs, origin());
  if (change.changesPassword)
    recorder.account('password_changed', user.id, atMs + r.between(2, 90) * minuteMs, origin());
  const truth = legitimate(change.episode);
  if (change.episode === 'new_phone_purchase') {
    const merchant = world.merchantIn(r, ['electronics', 'luxury', 'travel']);
    recorder.movement({
      atMs: atMs + r.between(10, 180) * minuteMs,
      kind: 'merchant_payment',
      userId: user.id,
      counterpartyId: merchant.id,
      amountMinor: user.amountMedianMinor * r.between(4, 25),
      cardFingerprint: r.chance(0.5) && user.cards[0] !== undefined ? user.cards[0] : null,
      merchantCategory: merchant.category,
      origin: origin(),
      truth,
    });
  } else if (r.chance(0.2)) {
    recorder.movement({
      atMs: atMs + r.between(0.2, 24) * hourMs,
      kind: 'p2p',
      userId: user.id,
      counterpartyId: r.pick(world.users).id,
      amountMinor: user.amountMedianMinor * r.between(3, 12),
      origin: origin(),
      truth,
    });
  }
}

/** Paying at the airport before take-off and after landing, both ways. */
function flights(
  world: SimulatedWorld,
  recorder: EventRecorder,
  r: SeededRandom,
  user: SimUser,
  plan: UserPlan,
): void {
  const trip = plan.trip;
  if (trip === null) return;
  const legs = [
    { from: user.home, to: trip.city, leaveMs: trip.departMs },
    { from: trip.city, to: user.home, leaveMs: trip.returnMs },
  ];
  for (const [i, leg] of legs.entries()) {
    const device = deviceAt(user, plan, leg.leaveMs, r);
    const airport = (where: typeof leg.from, atMs: number) => {
      const merchant = world.merchantIn(r, ['restaurant', 'travel', 'transport']);
      recorder.movement({
        atMs,
        kind: 'merchant_payment',
        userId: user.id,
        counterpartyId: merchant.id,
        amountMinor: r.logNormal(user.amountMedianMinor, 0.5),
        merchantCategory: merchant.category,
        origin: world.origin(device, `airport:${where.name}`, where),
        truth: legitimate('traveller'),
      });
    };
    airport(leg.from, leg.leaveMs - r.between(0.3, 1.5) * hourMs);
    if (i === 0 || r.chance(0.7))
      airport(leg.to, leg.leaveMs + trip.flightMs + r.between(0.1, 1) * hourMs);
  }
}

/** A new card tried with one to three small top-ups, then a real one. */
function cardAdder(
  world: SimulatedWorld,
  recorder: EventRecorder,
  r: SeededRandom,
  user: SimUser,
  plan: UserPlan | undefined,
  atMs: number,
): void {
  const card = world.newCard();
  const origin = world.homeOrigin(user, r, deviceAt(user, plan, atMs, r));
  const tries = r.intBetween(1, 3);
  let t = atMs;
  for (let i = 0; i <= tries; i += 1) {
    recorder.movement({
      atMs: t,
      kind: 'top_up',
      userId: user.id,
      counterpartyId: 'card_issuer',
      amountMinor: i < tries ? r.intBetween(1, 5) * 100 : user.amountMedianMinor * r.between(2, 6),
      cardFingerprint: card,
      origin,
      truth: legitimate('card_adder'),
    });
    t += r.between(0.5, 20) * minuteMs;
  }
}

/** Friends paying back their share of a bill, within the hour. */
function billSplit(
  world: SimulatedWorld,
  recorder: EventRecorder,
  r: SeededRandom,
  organiser: SimUser,
  atMs: number,
): void {
  const payers = [
    ...new Set(
      Array.from({ length: r.intBetween(3, 8) }, () =>
        r.pick(organiser.friends.length > 0 ? organiser.friends : [organiser.id]),
      ),
    ),
  ];
  const shareMinor = r.logNormal(12_000, 0.6) / (payers.length + 1);
  let t = atMs;
  for (const id of payers) {
    const payer = world.usersById.get(id);
    t += r.exponential(12) * minuteMs;
    if (payer === undefined || payer === organiser || t <= payer.createdAtMs) continue;
    recorder.movement({
      atMs: t,
      kind: 'p2p',
      userId: payer.id,
      counterpartyId: organiser.id,
      amountMinor: shareMinor * r.between(0.9, 1.1),
      origin: world.homeOrigin(payer, r),
      truth: legitimate('bill_split'),
    });
  }
}

/** A busy afternoon of shopping: many payments in a few hours, half at new shops. */
function shoppingSpree(
  world: SimulatedWorld,
  recorder: EventRecorder,
  r: SeededRandom,
  user: SimUser,
  plan: UserPlan | undefined,
  atMs: number,
): void {
  const origin = world.homeOrigin(user, r, deviceAt(user, plan, atMs, r));
  const purchases = r.intBetween(5, 14);
  const spanMs = r.between(1, 3) * hourMs;
  for (let i = 0; i < purchases; i += 1) {
    const merchant =
      r.chance(0.5) && user.merchants.length > 0 ? r.pick(user.merchants) : r.pick(world.merchants);
    recorder.movement({
      atMs: atMs + (spanMs * i) / purchases + r.between(0, 4) * minuteMs,
      kind: 'merchant_payment',
      userId: user.id,
      counterpartyId: merchant.id,
      amountMinor: r.logNormal(user.amountMedianMinor * 1.5, 0.6),
      cardFingerprint: r.chance(0.4) ? (user.cards[0] ?? null) : null,
      merchantCategory: merchant.category,
      origin,
      truth: legitimate('shopping_spree' satisfies LookAlike),
    });
  }
}
