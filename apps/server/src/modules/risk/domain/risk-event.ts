/**
 * What the risk engine sees: a time-ordered stream of money movements and the account events
 * around them (sign-up, device enrolment, password and phone changes). The simulator produces
 * it; at runtime the same shapes come from the journal. Money movements carry the ground truth
 * only in simulation (`truth`), which the feature extractor never reads.
 */
export const movementKinds = ['p2p', 'merchant_payment', 'top_up', 'payout', 'refund'] as const;
export type MovementKind = (typeof movementKinds)[number];

export const accountEventTypes = [
  'account_opened',
  'device_enrolled',
  'password_changed',
  'phone_changed',
] as const;
export type AccountEventType = (typeof accountEventTypes)[number];

/** The seven fraud patterns the simulator plays; each has a legitimate look-alike. */
export const fraudTypologies = [
  'card_testing',
  'account_takeover',
  'mule',
  'velocity_burst',
  'new_device_high_value',
  'impossible_travel',
  'refund_abuse',
] as const;
export type FraudTypology = (typeof fraudTypologies)[number];

/** Legitimate behaviours that resemble a typology (the reason rules misfire). */
export const lookAlikes = [
  'card_adder',
  'shared_device',
  'phone_change',
  'seller',
  'bill_split',
  'shopping_spree',
  'new_phone_purchase',
  'traveller',
  'vpn_user',
  'serial_returner',
  'goodwill_refund',
] as const;
export type LookAlike = (typeof lookAlikes)[number];

export const merchantCategories = [
  'grocery',
  'restaurant',
  'transport',
  'fashion',
  'utilities',
  'travel',
  'electronics',
  'gift_cards',
  'crypto',
  'luxury',
] as const;
export type MerchantCategory = (typeof merchantCategories)[number];

export const devicePlatforms = ['ios', 'android', 'web'] as const;
export type DevicePlatform = (typeof devicePlatforms)[number];

/** The device attributes the apps already collect at enrolment. */
export interface DeviceAttributes {
  readonly platform: DevicePlatform;
  readonly emulator: boolean;
  readonly rooted: boolean;
  /** ISO 3166 country of the device's locale. */
  readonly localeCountry: string;
}

/** The coarse location of an IP address (from an offline geolocation database at runtime). */
export interface IpLocation {
  readonly latitude: number;
  readonly longitude: number;
  readonly country: string;
  /** The address belongs to a hosting provider or a known proxy range. */
  readonly hosting: boolean;
}

/** Where a request came from: device key, its attributes, IP address and its location. */
export interface RequestOrigin {
  readonly deviceId: string;
  readonly device: DeviceAttributes;
  readonly ip: string;
  readonly ipLocation: IpLocation;
}

/** Simulation ground truth. Never a feature. */
export interface GroundTruth {
  readonly fraud: boolean;
  readonly typology: FraudTypology | null;
  readonly lookAlike: LookAlike | null;
  /** Groups the events of one fraud case (one attack, one campaign). */
  readonly caseId: string | null;
}

export interface MoneyMovement {
  readonly type: 'money_movement';
  readonly id: string;
  readonly atMs: number;
  readonly kind: MovementKind;
  /**
   * The wallet owner the movement is for: the payer of a P2P transfer or merchant payment,
   * the owner of a top-up or payout, the customer who receives a refund.
   */
  readonly userId: string;
  /** The other side: payee user, merchant, bank account or card issuer. */
  readonly counterpartyId: string;
  readonly amountMinor: bigint;
  readonly currency: 'EUR';
  readonly cardFingerprint: string | null;
  readonly merchantCategory: MerchantCategory | null;
  readonly origin: RequestOrigin;
  readonly truth: GroundTruth;
}

export interface AccountEvent {
  readonly type: AccountEventType;
  readonly id: string;
  readonly atMs: number;
  readonly userId: string;
  readonly origin: RequestOrigin;
}

export type RiskEvent = MoneyMovement | AccountEvent;

/** Movements that credit the user's wallet (the others debit it). */
export function creditsUser(kind: MovementKind): boolean {
  return kind === 'top_up' || kind === 'refund';
}
