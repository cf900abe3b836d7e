import { distanceKm } from './geo-distance.ts';
import type { SeededRandom } from './seeded-random.ts';
import {
  dayMs,
  farCities,
  homeCities,
  type City,
  type SimDevice,
  type SimulatedWorld,
  type SimUser,
} from './simulated-world.ts';

export interface Trip {
  readonly city: City;
  readonly departMs: number;
  readonly returnMs: number;
  readonly flightMs: number;
}

/** A legitimate change of phone: the look-alike of takeovers and new-device fraud. */
export interface PhoneSwitch {
  readonly device: SimDevice;
  /** An ordinary new phone, or a new phone followed by an expensive purchase. */
  readonly episode: 'phone_change' | 'new_phone_purchase';
  readonly changesPassword: boolean;
  readonly changesPhoneNumber: boolean;
}

/** What a user will do during the simulation beyond everyday spending. */
export interface UserPlan {
  readonly trip: Trip | null;
  readonly phoneSwitch: PhoneSwitch | null;
}

const flightKmPerHour = 800;

/** Decides trips and phone changes up front, so everyday activity can follow them. */
export function planUsers(
  world: SimulatedWorld,
  random: SeededRandom,
  warmupDays: number,
): Map<string, UserPlan> {
  const plans = new Map<string, UserPlan>();
  const activeDays = world.days - warmupDays;
  for (const user of world.users) {
    let trip: Trip | null = null;
    if (user.traveller && activeDays > 3) {
      const city = random.chance(0.6) ? random.pick(farCities) : random.pick(homeCities);
      const departMs = world.startMs + (warmupDays + random.between(0, activeDays - 2)) * dayMs;
      const km = distanceKm(user.home.latitude, user.home.longitude, city.latitude, city.longitude);
      const flightMs = (km / flightKmPerHour + 0.75) * 3_600_000;
      trip = { city, departMs, returnMs: departMs + random.between(2, 7) * dayMs, flightMs };
    }
    let phoneSwitch: PhoneSwitch | null = null;
    const roll = random.next();
    if (roll < 0.03) {
      const atMs = world.startMs + (warmupDays + random.between(0, activeDays)) * dayMs;
      phoneSwitch = {
        device: world.ordinaryDevice(user.home.country, random, Math.max(atMs, user.createdAtMs)),
        episode: roll < 0.01 ? 'new_phone_purchase' : 'phone_change',
        changesPassword: random.chance(0.35),
        changesPhoneNumber: random.chance(0.6),
      };
    }
    plans.set(user.id, { trip, phoneSwitch });
  }
  return plans;
}

/** The device a user picks up at a moment: the new phone once switched, else mostly the first. */
export function deviceAt(
  user: SimUser,
  plan: UserPlan | undefined,
  atMs: number,
  random: SeededRandom,
): SimDevice {
  const first = user.devices[0] as SimDevice;
  const phone = plan?.phoneSwitch;
  const primary =
    phone !== undefined && phone !== null && atMs >= phone.device.enrolledAtMs
      ? phone.device
      : first;
  if (user.devices.length === 1 || random.chance(0.75)) return primary;
  return random.pick(user.devices.slice(1));
}

/** Whether a moment falls inside the user's trip (after landing, before flying home). */
export function awayAt(plan: UserPlan | undefined, atMs: number): Trip | null {
  const trip = plan?.trip ?? null;
  if (trip === null) return null;
  return atMs >= trip.departMs + trip.flightMs && atMs < trip.returnMs ? trip : null;
}
