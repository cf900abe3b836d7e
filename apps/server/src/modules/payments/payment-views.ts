import { encodeId } from '../../kernel/ids.ts';
import type { Account } from '../ledger/index.ts';
import { publicRisk } from '../risk/index.ts';
import { paymentWireId, type PaymentRecord } from './payment-record.ts';

/** Money on the wire: integer minor units as JSON numbers (always ≤ 2^53 − 1 per object). */
export function wireAmount(amount: bigint): number {
  return Number(amount);
}

export function transferView(
  p: PaymentRecord,
  parties: {
    fromWalletId: string;
    toWalletId: string;
    fromUserId: string | null;
    toUserId: string | null;
  },
) {
  return {
    id: paymentWireId(p),
    object: 'transfer' as const,
    status: p.status,
    amount: wireAmount(p.amount),
    currency: p.currency,
    from: {
      user: parties.fromUserId === null ? null : encodeId('usr', parties.fromUserId),
      wallet: encodeId('wal', parties.fromWalletId),
    },
    // A declined transfer shows nothing of its recipient (the sender learns no more than
    // whether an account exists).
    to:
      p.status === 'failed'
        ? { user: null, wallet: null }
        : {
            user: parties.toUserId === null ? null : encodeId('usr', parties.toUserId),
            wallet: encodeId('wal', parties.toWalletId),
          },
    description: p.description,
    failure_code: p.failureCode,
    next_action: nextAction(p),
    // The sender's signals: the recipient's view (and events) leave them out (transferForPayee).
    risk: publicRisk(p.risk),
    created_at: p.createdAt.toISOString(),
  };
}

/** A stored transfer's view, its parties read from its own row. */
export function storedTransferView(p: PaymentRecord) {
  return transferView(p, {
    fromWalletId: p.payerAccountId,
    toWalletId: p.payeeAccountId,
    fromUserId: p.payerUserId,
    toUserId: p.payeeUserId,
  });
}

/** A decision without its reasons: what a party other than the payer may see. */
export function withoutReasons<R extends { reasons: readonly unknown[] } | null>(risk: R): R {
  return risk === null ? risk : { ...risk, reasons: [] };
}

/** A payment as its merchant sees it: the decision and score, not the payer's signals. */
export function forMerchant<T extends { risk: { reasons: readonly unknown[] } | null }>(
  view: T,
): T {
  return { ...view, risk: withoutReasons(view.risk) };
}

/** A transfer as its recipient sees it: nothing of the risk signals about the sender. */
export function transferForPayee<T extends { risk: unknown }>(view: T): T {
  return { ...view, risk: null };
}

/** What the client must do next: for `requires_action`, confirm with a 2FA code. */
function nextAction(p: PaymentRecord): { type: 'verify_2fa'; confirm_url: string } | null {
  if (p.status !== 'requires_action') return null;
  return {
    type: 'verify_2fa',
    confirm_url: `/v1/${p.kind === 'transfer' ? 'transfers' : 'payments'}/${paymentWireId(p)}/confirm`,
  };
}

export function paymentView(p: PaymentRecord) {
  return {
    id: paymentWireId(p),
    object: 'payment' as const,
    status: p.status,
    amount: wireAmount(p.amount),
    amount_captured: wireAmount(p.amountCaptured),
    amount_refunded: wireAmount(p.amountRefunded),
    fee: wireAmount(p.fee),
    currency: p.currency,
    capture_method: p.captureMethod,
    merchant: p.merchantId === null ? null : encodeId('mer', p.merchantId),
    payer: p.payerUserId === null ? null : encodeId('usr', p.payerUserId),
    description: p.description,
    failure_code: p.failureCode,
    cancellation_reason: p.cancellationReason,
    next_action: nextAction(p),
    capture_before:
      p.status === 'requires_capture' ? (p.holdExpiresAt?.toISOString() ?? null) : null,
    risk: publicRisk(p.risk),
    created_at: p.createdAt.toISOString(),
  };
}

export function fundingView(p: PaymentRecord) {
  return {
    id: paymentWireId(p),
    object: 'funding' as const,
    status: p.status,
    wallet: encodeId('wal', p.payeeAccountId),
    amount: wireAmount(p.amount),
    currency: p.currency,
    description: p.description,
    created_at: p.createdAt.toISOString(),
  };
}

/**
 * Wallet balances. `balance` is what has settled; `available` is what can be spent now
 * (balance minus holds); `pending` is the net of holds in and out (incoming minus outgoing).
 */
export function walletView(account: Account) {
  const balance = account.creditsPosted - account.debitsPosted;
  return {
    id: encodeId('wal', account.id),
    object: 'wallet' as const,
    currency: account.currency,
    balance: wireAmount(balance),
    available: wireAmount(balance - account.debitsPending),
    pending: wireAmount(account.creditsPending - account.debitsPending),
  };
}
