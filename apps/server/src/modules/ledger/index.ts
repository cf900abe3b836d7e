export { createLedger, type Ledger } from './ledger.ts';
export { createLedgerWriter, type LedgerCommand, type LedgerWriter } from './ledger-writer.ts';
export { applyTransfers, assertAccountInvariants } from './domain/apply-transfers.ts';
export {
  accountFlags,
  transferFlags,
  transferRejections,
  type Account,
  type Transfer,
  type TransferInput,
  type TransferOutcome,
  type TransferRejection,
  type LedgerState,
} from './domain/ledger-types.ts';
export type { NewAccount } from './store/ledger-store.ts';
export { verifyLedger, type LedgerVerification, type LedgerMismatch } from './verify-ledger.ts';
export { ledgerRoutes } from './routes.ts';
