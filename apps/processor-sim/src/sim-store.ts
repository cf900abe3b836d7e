import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export interface Charge {
  readonly id: string;
  readonly object: 'charge';
  status: 'succeeded' | 'requires_capture' | 'declined' | 'requires_action' | 'canceled';
  readonly amount: number;
  amount_captured: number;
  amount_refunded: number;
  readonly currency: string;
  decline_code: string | null;
  /** For `requires_action`: where the cardholder confirms with their bank (3-D Secure). */
  next_action: { readonly type: 'redirect_to_url'; readonly url: string } | null;
  /** Whether a `requires_action` charge captures once authenticated. */
  readonly capture: boolean;
  readonly card: { readonly brand: string; readonly last4: string };
  readonly reference: string | null;
  readonly idempotency_key: string;
  readonly created_at: string;
}

export interface Payout {
  readonly id: string;
  readonly object: 'payout';
  readonly status: 'paid' | 'failed';
  readonly amount: number;
  readonly currency: string;
  readonly failure_code: string | null;
  readonly bank_account: { readonly country: string; readonly last4: string };
  readonly reference: string | null;
  readonly idempotency_key: string;
  readonly created_at: string;
}

/** What moved money: the settlement report lists these. */
export interface SettlementEntry {
  readonly type: 'capture' | 'refund' | 'payout';
  readonly id: string;
  readonly object_id: string;
  readonly idempotency_key: string;
  readonly amount: number;
  readonly currency: string;
  readonly reference: string | null;
  readonly at: string;
}

/** A stored answer to an idempotency key: the same key always gets it back. */
export interface StoredOperation {
  readonly key: string;
  readonly fingerprint: string;
  readonly statusCode: number;
  readonly body: unknown;
}

type Line =
  | { t: 'op'; op: StoredOperation }
  | { t: 'charge'; charge: Charge }
  | { t: 'payout'; payout: Payout }
  | { t: 'settle'; entry: SettlementEntry };

/**
 * The processor's own small store: in memory, and appended to a JSON-lines file when one is
 * given, so a restart keeps what it charged and paid out.
 */
export class SimStore {
  readonly operations = new Map<string, StoredOperation>();
  readonly charges = new Map<string, Charge>();
  readonly payouts = new Map<string, Payout>();
  readonly settlement: SettlementEntry[] = [];

  constructor(private readonly file?: string) {
    if (file === undefined || !existsSync(file)) return;
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      if (text.trim() === '') continue;
      this.apply(JSON.parse(text) as Line);
    }
  }

  saveOperation(op: StoredOperation): void {
    this.write({ t: 'op', op });
  }

  saveCharge(charge: Charge): void {
    this.write({ t: 'charge', charge: { ...charge } });
  }

  savePayout(payout: Payout): void {
    this.write({ t: 'payout', payout });
  }

  settle(entry: SettlementEntry): void {
    this.write({ t: 'settle', entry });
  }

  private write(line: Line): void {
    this.apply(line);
    if (this.file !== undefined) appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }

  private apply(line: Line): void {
    switch (line.t) {
      case 'op':
        this.operations.set(line.op.key, line.op);
        break;
      case 'charge':
        this.charges.set(line.charge.id, line.charge);
        break;
      case 'payout':
        this.payouts.set(line.payout.id, line.payout);
        break;
      case 'settle':
        this.settlement.push(line.entry);
        break;
    }
  }
}
