import { type FeatureVector } from './features.ts';
import { locationCell } from './geo-distance.ts';
import { movementFeatures, type MovementState } from './movement-features.ts';
import { KeyState, PayeeState, UserState } from './party-state.ts';
import {
  creditsUser,
  type AccountEvent,
  type MoneyMovement,
  type RiskEvent,
} from './risk-event.ts';

/**
 * Computes the feature vector of each money movement from everything that came before it in a
 * time-ordered stream, then learns from the event. In memory and incremental: one pass over a
 * simulated month takes seconds. Reads no ground truth. The runtime computes the same
 * definitions from PostgreSQL and Redis.
 */
export class FeatureExtractor {
  private readonly users = new Map<string, UserState>();
  private readonly payees = new Map<string, PayeeState>();
  private readonly cards = new Map<string, KeyState>();
  private readonly devices = new Map<string, KeyState>();
  private readonly ips = new Map<string, KeyState>();
  private lastAtMs = Number.NEGATIVE_INFINITY;

  /** The features of a money movement (null for account events), then updates the state. */
  observe(event: RiskEvent): FeatureVector | null {
    if (event.atMs < this.lastAtMs)
      throw new RangeError(`event ${event.id} is out of time order (${event.atMs})`);
    this.lastAtMs = event.atMs;
    if (event.type !== 'money_movement') {
      this.learnAccountEvent(event);
      return null;
    }
    const state = this.stateOf(event);
    const vector = movementFeatures(event, state);
    this.learnMovement(event, state);
    return vector;
  }

  private user(id: string, atMs: number, event: RiskEvent): UserState {
    let state = this.users.get(id);
    if (state === undefined) {
      const { latitude, longitude } = event.origin.ipLocation;
      state = new UserState(atMs, { latitude, longitude });
      this.users.set(id, state);
    }
    state.advance(atMs);
    return state;
  }

  private key(map: Map<string, KeyState>, id: string, atMs: number): KeyState {
    let state = map.get(id);
    if (state === undefined) {
      state = new KeyState();
      map.set(id, state);
    }
    state.advance(atMs);
    return state;
  }

  private payee(id: string, atMs: number): PayeeState {
    let state = this.payees.get(id);
    if (state === undefined) {
      state = new PayeeState();
      this.payees.set(id, state);
    }
    state.advance(atMs);
    return state;
  }

  /** The parties of a movement, created on first sight, their windows moved to its time. */
  private stateOf(m: MoneyMovement): MovementState {
    const now = m.atMs;
    const paysSomeone = m.kind === 'p2p' || m.kind === 'merchant_payment' || m.kind === 'payout';
    return {
      user: this.user(m.userId, now, m),
      device: this.key(this.devices, m.origin.deviceId, now),
      ip: this.key(this.ips, m.origin.ip, now),
      card: m.cardFingerprint === null ? null : this.key(this.cards, m.cardFingerprint, now),
      payee: paysSomeone ? this.payee(m.counterpartyId, now) : null,
      payeeUser: m.kind === 'p2p' ? this.users.get(m.counterpartyId) : undefined,
    };
  }

  private learnAccountEvent(event: AccountEvent): void {
    const user = this.user(event.userId, event.atMs, event);
    const device = this.key(this.devices, event.origin.deviceId, event.atMs);
    if (event.type === 'account_opened' || event.type === 'device_enrolled') {
      user.deviceEnrolledAtMs.set(event.origin.deviceId, event.atMs);
      device.accounts.add(event.userId);
      if (event.type === 'device_enrolled') user.lastNewDeviceAtMs = event.atMs;
    }
    if (event.type === 'password_changed') user.lastPasswordChangeAtMs = event.atMs;
    if (event.type === 'phone_changed') user.lastPhoneChangeAtMs = event.atMs;
    this.learnLocation(user, event);
  }

  private learnLocation(user: UserState, event: RiskEvent): void {
    const { latitude, longitude, country } = event.origin.ipLocation;
    user.last = { atMs: event.atMs, latitude, longitude };
    user.cells.add(locationCell(latitude, longitude));
    user.countries.add(event.atMs, country);
  }

  private learnMovement(m: MoneyMovement, state: MovementState): void {
    const now = m.atMs;
    const amount = Number(m.amountMinor);
    const { user, device, ip, card } = state;
    user.activity.add(now, amount);
    user.movementCount += 1;
    if (user.firstMovementAtMs < 0) user.firstMovementAtMs = now;
    if (creditsUser(m.kind)) {
      user.flows.in.add(now, amount);
      user.lastInflowAtMs = now;
    } else {
      user.flows.out.add(now, amount);
      user.rememberAmount(amount);
      user.payees.add(m.counterpartyId);
      state.payee?.received(now, m.userId, amount);
    }
    if (m.kind === 'p2p') {
      const payee = this.user(m.counterpartyId, now, m);
      payee.flows.in.add(now, amount);
      payee.fanIn.add(now, m.userId);
      payee.lastInflowAtMs = now;
    }
    if (m.kind === 'merchant_payment') {
      user.payments.add(now, amount);
      add(user.paidToMerchant, m.counterpartyId, amount);
    }
    if (m.kind === 'refund') {
      user.refunds.add(now, amount);
      add(user.refundedByMerchant, m.counterpartyId, amount);
    }
    device.activity.add(now, amount);
    device.accounts.add(m.userId);
    ip.activity.add(now, amount);
    ip.accounts24h.add(now, m.userId);
    if (card !== null && m.cardFingerprint !== null) {
      card.activity.add(now, amount);
      card.accounts.add(m.userId);
      device.cards24h.add(now, m.cardFingerprint);
      user.cards.add(m.cardFingerprint);
    }
    this.learnLocation(user, m);
  }
}

function add(map: Map<string, number>, key: string, amount: number): void {
  map.set(key, (map.get(key) ?? 0) + amount);
}
