import type {
  DeviceAttributes,
  IpLocation,
  MerchantCategory,
  RequestOrigin,
} from './risk-event.ts';
import type { SeededRandom } from './seeded-random.ts';

export const dayMs = 86_400_000;

export interface City {
  readonly name: string;
  readonly country: string;
  readonly latitude: number;
  readonly longitude: number;
}

const city = (name: string, country: string, latitude: number, longitude: number): City => ({
  name,
  country,
  latitude,
  longitude,
});

/** Where users live (a European wallet). */
export const homeCities: readonly City[] = [
  city('Amsterdam', 'NL', 52.37, 4.9),
  city('Rotterdam', 'NL', 51.92, 4.48),
  city('Berlin', 'DE', 52.52, 13.4),
  city('Munich', 'DE', 48.14, 11.58),
  city('Paris', 'FR', 48.86, 2.35),
  city('Lyon', 'FR', 45.76, 4.84),
  city('Madrid', 'ES', 40.42, -3.7),
  city('Barcelona', 'ES', 41.39, 2.17),
  city('Milan', 'IT', 45.46, 9.19),
  city('Rome', 'IT', 41.9, 12.5),
  city('Warsaw', 'PL', 52.23, 21.01),
  city('Lisbon', 'PT', 38.72, -9.14),
  city('Brussels', 'BE', 50.85, 4.35),
  city('Vienna', 'AT', 48.21, 16.37),
  city('Dublin', 'IE', 53.35, -6.26),
];

/** Far places: holidays, business trips, and where stolen credentials get used. */
export const farCities: readonly City[] = [
  city('New York', 'US', 40.71, -74.01),
  city('Lagos', 'NG', 6.52, 3.38),
  city('Bangkok', 'TH', 13.76, 100.5),
  city('Dubai', 'AE', 25.2, 55.27),
  city('Sao Paulo', 'BR', -23.55, -46.63),
  city('Singapore', 'SG', 1.35, 103.82),
  city('Istanbul', 'TR', 41.01, 28.98),
  city('Toronto', 'CA', 43.65, -79.38),
  city('Mumbai', 'IN', 19.08, 72.88),
  city('Johannesburg', 'ZA', -26.2, 28.05),
];

/** Where VPN services and cloud hosts put their exits. */
export const vpnExits: readonly City[] = [
  city('Frankfurt', 'DE', 50.11, 8.68),
  city('London', 'GB', 51.51, -0.13),
  city('Ashburn', 'US', 39.04, -77.49),
  city('Singapore', 'SG', 1.35, 103.82),
];

export interface Merchant {
  readonly id: string;
  readonly category: MerchantCategory;
}

export interface SimDevice {
  readonly id: string;
  readonly attributes: DeviceAttributes;
  readonly enrolledAtMs: number;
  /** A family tablet several accounts use. */
  readonly shared?: boolean;
}

export interface SimUser {
  readonly id: string;
  readonly index: number;
  readonly createdAtMs: number;
  readonly home: City;
  readonly devices: SimDevice[];
  readonly cards: string[];
  readonly friends: string[];
  readonly merchants: Merchant[];
  /** Expected money movements a day. */
  readonly dailyRate: number;
  /** The user's typical amount, in minor units. */
  readonly amountMedianMinor: number;
  readonly seller: boolean;
  readonly traveller: boolean;
  readonly vpnUser: boolean;
  readonly serialReturner: boolean;
}

/**
 * The places, merchants and numbering shared by every simulated actor: IP addresses are handed
 * out on first use, so the same key always names the same address and location.
 */
export class SimulatedWorld {
  readonly users: SimUser[] = [];
  readonly usersById = new Map<string, SimUser>();
  readonly merchants: Merchant[] = [];
  private readonly ips = new Map<string, { ip: string; location: IpLocation }>();
  private nextDevice = 0;
  private nextCard = 0;
  private nextAccount = 0;

  constructor(
    readonly startMs: number,
    readonly days: number,
  ) {}

  get endMs(): number {
    return this.startMs + this.days * dayMs;
  }

  newDeviceId(): string {
    this.nextDevice += 1;
    return `dev_${this.nextDevice}`;
  }

  newCard(): string {
    this.nextCard += 1;
    return `crd_${this.nextCard}`;
  }

  newAccountId(): string {
    this.nextAccount += 1;
    return `usr_x${this.nextAccount}`;
  }

  /** The address behind a key (`home:usr_1`, `mobile:Paris:3`…), located at `where`. */
  ip(key: string, where: City, hosting = false): { ip: string; location: IpLocation } {
    let entry = this.ips.get(key);
    if (entry === undefined) {
      const n = this.ips.size + 1;
      entry = {
        ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
        location: {
          latitude: where.latitude,
          longitude: where.longitude,
          country: where.country,
          hosting,
        },
      };
      this.ips.set(key, entry);
    }
    return entry;
  }

  /** A merchant of one of the categories (any merchant if none is found quickly). */
  merchantIn(random: SeededRandom, categories: readonly MerchantCategory[]): Merchant {
    for (let i = 0; i < 100; i += 1) {
      const merchant = random.pick(this.merchants);
      if (categories.includes(merchant.category)) return merchant;
    }
    return random.pick(this.merchants);
  }

  /** A request from a device through the IP named by `ipKey`, located at `where`. */
  origin(device: SimDevice, ipKey: string, where: City, hosting = false): RequestOrigin {
    const { ip, location } = this.ip(ipKey, where, hosting);
    return { deviceId: device.id, device: device.attributes, ip, ipLocation: location };
  }

  /** An ordinary request of a user from home: home Wi-Fi or a shared carrier address. */
  homeOrigin(user: SimUser, random: SeededRandom, device = user.devices[0]): RequestOrigin {
    const chosen = device ?? this.ordinaryDevice(user.home.country, random, 0);
    return this.homeOriginOf(user.id, chosen, user.home, random);
  }

  homeOriginOf(userId: string, device: SimDevice, home: City, random: SeededRandom): RequestOrigin {
    return random.chance(0.6)
      ? this.origin(device, `home:${userId}`, home)
      : this.origin(device, `mobile:${home.name}:${random.int(40)}`, home);
  }

  /** A phone, tablet or browser as ordinary people have them. */
  ordinaryDevice(country: string, random: SeededRandom, enrolledAtMs: number): SimDevice {
    const roll = random.next();
    const platform = roll < 0.45 ? 'ios' : roll < 0.9 ? 'android' : 'web';
    return {
      id: this.newDeviceId(),
      enrolledAtMs,
      attributes: {
        platform,
        emulator: random.chance(0.003),
        rooted: platform === 'android' && random.chance(0.04),
        localeCountry: random.chance(0.94) ? country : random.pick(homeCities).country,
      },
    };
  }

  /** A device a fraudster uses: emulators, rooted phones and odd locales are more common. */
  fraudDevice(random: SeededRandom, enrolledAtMs: number, country: string): SimDevice {
    const roll = random.next();
    const platform = roll < 0.2 ? 'ios' : roll < 0.8 ? 'android' : 'web';
    return {
      id: this.newDeviceId(),
      enrolledAtMs,
      attributes: {
        platform,
        emulator: platform !== 'ios' && random.chance(0.3),
        rooted: platform === 'android' && random.chance(0.25),
        localeCountry: random.chance(0.7) ? country : random.pick(farCities).country,
      },
    };
  }

  /** The moment of day a person acts, in UTC: mostly daytime and evening at `where`. */
  localMoment(dayStartMs: number, where: City, random: SeededRandom): number {
    const hour = random.chance(0.93) ? random.between(7.5, 23.5) : random.between(0, 7.5);
    return dayStartMs + (hour - where.longitude / 15) * 3_600_000;
  }
}
