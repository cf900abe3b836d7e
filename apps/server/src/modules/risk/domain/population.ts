import type { EventRecorder } from './event-recorder.ts';
import type { MerchantCategory } from './risk-event.ts';
import type { SeededRandom } from './seeded-random.ts';
import {
  dayMs,
  homeCities,
  type Merchant,
  type SimUser,
  type SimulatedWorld,
} from './simulated-world.ts';

const categoryWeights: ReadonlyArray<readonly [MerchantCategory, number]> = [
  ['grocery', 0.25],
  ['restaurant', 0.2],
  ['transport', 0.1],
  ['fashion', 0.12],
  ['utilities', 0.07],
  ['travel', 0.05],
  ['electronics', 0.08],
  ['gift_cards', 0.04],
  ['crypto', 0.03],
  ['luxury', 0.06],
];

function category(random: SeededRandom): MerchantCategory {
  let roll = random.next();
  for (const [name, weight] of categoryWeights) {
    roll -= weight;
    if (roll < 0) return name;
  }
  return 'grocery';
}

/**
 * Builds the merchants and the users of a simulation, with their devices, cards, friends and
 * habits, and records how each account and device key came to exist (sign-ups and enrolments
 * before the simulation starts give every account a history).
 */
export function createPopulation(
  world: SimulatedWorld,
  random: SeededRandom,
  recorder: EventRecorder,
  userCount: number,
): void {
  const merchantCount = Math.max(50, Math.round(userCount / 15));
  for (let i = 0; i < merchantCount; i += 1)
    world.merchants.push({ id: `mer_${i + 1}`, category: category(random) });
  for (let i = 0; i < userCount; i += 1) {
    const user = newUser(world, random, i);
    world.users.push(user);
    world.usersById.set(user.id, user);
  }
  linkUsers(world, random);
  for (const user of world.users) {
    const signUp = user.devices[0];
    if (signUp === undefined) continue;
    recorder.account(
      'account_opened',
      user.id,
      user.createdAtMs,
      world.homeOrigin(user, random, signUp),
    );
    for (const device of user.devices.slice(1))
      recorder.account(
        'device_enrolled',
        user.id,
        device.enrolledAtMs,
        world.homeOrigin(user, random, device),
      );
  }
}

function newUser(world: SimulatedWorld, random: SeededRandom, index: number): SimUser {
  const joinsDuringSimulation = random.chance(0.06);
  const createdAtMs = joinsDuringSimulation
    ? world.startMs + random.between(0, world.days) * dayMs
    : world.startMs - Math.min(2500, Math.max(1, random.logNormal(300, 1))) * dayMs;
  const home = random.pick(homeCities);
  const devices = [world.ordinaryDevice(home.country, random, createdAtMs)];
  if (random.chance(0.2)) {
    const later = Math.max(createdAtMs, world.startMs - random.logNormal(120, 1) * dayMs);
    devices.push(world.ordinaryDevice(home.country, random, Math.min(later, world.startMs - 1)));
  }
  const cardCount = random.chance(0.05) ? 0 : random.chance(0.72) ? 1 : 2;
  return {
    id: `usr_${index + 1}`,
    index,
    createdAtMs,
    home,
    devices,
    cards: Array.from({ length: cardCount }, () => world.newCard()),
    friends: [],
    merchants: [],
    dailyRate: Math.min(8, Math.max(0.1, random.logNormal(1.1, 0.6))),
    amountMedianMinor: Math.max(300, random.logNormal(2500, 0.6)),
    seller: random.chance(0.03),
    traveller: random.chance(0.06),
    vpnUser: random.chance(0.02),
    serialReturner: random.chance(0.03),
  };
}

/** Friends, favourite merchants, families sharing a tablet, couples sharing a card. */
function linkUsers(world: SimulatedWorld, random: SeededRandom): void {
  const users = world.users;
  for (const user of users) {
    const friendCount = random.intBetween(3, 12);
    for (let i = 0; i < friendCount; i += 1) {
      const friend = random.pick(users);
      if (friend !== user && !user.friends.includes(friend.id)) user.friends.push(friend.id);
    }
    const merchantCount = random.intBetween(4, 15);
    for (let i = 0; i < merchantCount; i += 1) {
      const merchant: Merchant = random.pick(world.merchants);
      if (!user.merchants.includes(merchant)) user.merchants.push(merchant);
    }
  }
  for (const user of users) {
    if (!random.chance(0.02)) continue;
    const members = [
      user,
      ...Array.from({ length: random.intBetween(1, 2) }, () => random.pick(users)),
    ];
    const sharedAtMs = Math.max(...members.map((m) => m.createdAtMs));
    const tablet = world.ordinaryDevice(user.home.country, random, sharedAtMs);
    for (const member of new Set(members))
      if (member.devices.length < 3)
        member.devices.push({
          ...tablet,
          enrolledAtMs: Math.max(sharedAtMs, member.createdAtMs),
          shared: true,
        });
  }
  for (const user of users) {
    const partner = random.pick(users);
    const card = user.cards[0];
    if (random.chance(0.02) && card !== undefined && partner !== user) partner.cards.push(card);
  }
}
