import type { EventRecorder } from './event-recorder.ts';
import type { FraudTypology, RequestOrigin } from './risk-event.ts';
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

/** Where a fraudster's requests seem to come from. */
export type AttackerNetwork = 'foreign' | 'domestic' | 'proxy_near_victim' | 'datacenter';

/**
 * What every fraud scenario shares: the world, the recorder, its own random stream, the active
 * period (after the warm-up), victims to pick, accounts to open and mule accounts to pay into.
 */
export class FraudContext {
  private cases = 0;
  private readonly mules: string[] = [];

  constructor(
    readonly world: SimulatedWorld,
    readonly recorder: EventRecorder,
    readonly random: SeededRandom,
    readonly warmupDays: number,
  ) {}

  caseId(typology: FraudTypology): string {
    this.cases += 1;
    return `${typology}_${this.cases}`;
  }

  /** How many cases of a scenario to play: `perThousandUsersWeekly`, scaled, Poisson-noised. */
  caseCount(perThousandUsersWeekly: number): number {
    const weeks = (this.world.days - this.warmupDays) / 7;
    return this.random.poisson((perThousandUsersWeekly * this.world.users.length * weeks) / 1000);
  }

  /**
   * A moment in the active period, leaving `tailDays` before the end: mostly in European
   * waking hours like everyone else, three times in ten at any hour.
   */
  moment(tailDays = 0): number {
    const span = Math.max(1, Math.floor(this.world.days - this.warmupDays - tailDays));
    const dayStartMs = this.world.startMs + (this.warmupDays + this.random.int(span)) * dayMs;
    const hour = this.random.chance(0.7) ? this.random.between(7, 23) : this.random.between(0, 24);
    return dayStartMs + hour * 3_600_000;
  }

  /** An established customer (30 days old or more at `atMs`), never a seller. */
  establishedUser(atMs: number): SimUser {
    for (let i = 0; i < 1000; i += 1) {
      const user = this.random.pick(this.world.users);
      if (!user.seller && user.createdAtMs < atMs - 30 * dayMs) return user;
    }
    return this.random.pick(this.world.users);
  }

  /** Opens an account for a fraudster (or a recruited mule) from the given origin. */
  openAccount(atMs: number, origin: RequestOrigin): string {
    const id = this.world.newAccountId();
    this.recorder.account('account_opened', id, atMs, origin);
    return id;
  }

  /** A mule account to receive stolen money: often one seen before, else a fresh one. */
  muleAccount(atMs: number): string {
    const known = this.mules.length > 0 && this.random.chance(0.5);
    if (known) return this.random.pick(this.mules);
    const home = this.random.pick(homeCities);
    const device = this.world.ordinaryDevice(home.country, this.random, atMs);
    const openedAtMs = atMs - this.random.between(1, 40) * dayMs;
    const id = this.openAccount(openedAtMs, this.world.origin(device, `home:${device.id}`, home));
    this.mules.push(id);
    return id;
  }

  /** A request of the attacker from the chosen kind of network, relative to the victim's city. */
  attackerOrigin(device: SimDevice, victimHome: City, network: AttackerNetwork): RequestOrigin {
    const r = this.random;
    switch (network) {
      case 'foreign': {
        const where = r.pick(farCities);
        return this.world.origin(device, `fraud:${where.name}:${r.int(200)}`, where);
      }
      case 'domestic': {
        const where = r.pick(homeCities.filter((c) => c.country === victimHome.country));
        return this.world.origin(device, `fraud:${where.name}:${r.int(200)}`, where);
      }
      case 'proxy_near_victim':
        return this.world.origin(device, `proxy:${victimHome.name}:${r.int(500)}`, victimHome);
      case 'datacenter': {
        const where = r.pick(homeCities);
        return this.world.origin(device, `datacenter:${where.name}:${r.int(50)}`, where, true);
      }
    }
  }

  network(weights: Readonly<Record<AttackerNetwork, number>>): AttackerNetwork {
    let roll = this.random.next();
    for (const [network, weight] of Object.entries(weights) as [AttackerNetwork, number][]) {
      roll -= weight;
      if (roll < 0) return network;
    }
    return 'proxy_near_victim';
  }
}
