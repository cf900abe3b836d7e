import type {
  AccountEvent,
  AccountEventType,
  FraudTypology,
  GroundTruth,
  LookAlike,
  MerchantCategory,
  MoneyMovement,
  MovementKind,
  RequestOrigin,
  RiskEvent,
} from './risk-event.ts';

export interface MovementDraft {
  readonly atMs: number;
  readonly kind: MovementKind;
  readonly userId: string;
  readonly counterpartyId: string;
  /** A positive amount in minor units; rounded to an integer here. */
  readonly amountMinor: number;
  readonly cardFingerprint?: string | null;
  readonly merchantCategory?: MerchantCategory | null;
  readonly origin: RequestOrigin;
  readonly truth: GroundTruth;
}

export const legitimate = (lookAlike: LookAlike | null = null): GroundTruth => ({
  fraud: false,
  typology: null,
  lookAlike,
  caseId: null,
});

export const fraudulent = (typology: FraudTypology, caseId: string): GroundTruth => ({
  fraud: true,
  typology,
  lookAlike: null,
  caseId,
});

type Draft = Omit<MoneyMovement, 'id'> | Omit<AccountEvent, 'id'>;

/**
 * Collects what the simulated actors do, in any order, and hands back one time-ordered stream
 * with ids in that order. Events at or after the end of the simulation are dropped.
 */
export class EventRecorder {
  private readonly drafts: Draft[] = [];

  constructor(readonly endMs: number) {}

  movement(draft: MovementDraft): void {
    if (draft.atMs >= this.endMs) return;
    this.drafts.push({
      type: 'money_movement',
      atMs: Math.floor(draft.atMs),
      kind: draft.kind,
      userId: draft.userId,
      counterpartyId: draft.counterpartyId,
      amountMinor: BigInt(Math.max(1, Math.round(draft.amountMinor))),
      currency: 'EUR',
      cardFingerprint: draft.cardFingerprint ?? null,
      merchantCategory: draft.merchantCategory ?? null,
      origin: draft.origin,
      truth: draft.truth,
    });
  }

  account(type: AccountEventType, userId: string, atMs: number, origin: RequestOrigin): void {
    if (atMs >= this.endMs) return;
    this.drafts.push({ type, atMs: Math.floor(atMs), userId, origin });
  }

  /** The stream sorted by time; ties keep the order they were recorded in (a stable sort). */
  finish(): RiskEvent[] {
    const sorted = [...this.drafts].sort((a, b) => a.atMs - b.atMs);
    const width = String(sorted.length).length;
    return sorted.map((draft, i) => ({ ...draft, id: `evt_${String(i).padStart(width, '0')}` }));
  }
}
