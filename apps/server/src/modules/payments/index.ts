export { paymentRoutes, type PaymentRouteDeps } from './routes.ts';
export { createSystemAccounts, type SystemAccounts } from './system-accounts.ts';
export { expireHolds } from './expire-holds.ts';
export { expireStepUps } from './expire-step-ups.ts';
export { expireReviews } from './expire-reviews.ts';
export { walletView } from './payment-views.ts';
export { feeReturnedFor } from './refund-command.ts';
export {
  insertPayment,
  newPaymentRecord,
  paymentWireId,
  selectPayment,
  updatePayment,
  type PaymentRecord,
} from './payment-record.ts';
export { wireAmount } from './payment-views.ts';
export { paymentEvents } from './payment-events.ts';
export {
  createStepUpPolicy,
  reapStepUpDecisions,
  runDecided,
  type StepUpPolicy,
} from './step-up-policy.ts';
export { createRecipients, maskedDisplayName, type Recipients } from './recipients.ts';
export { reapSpendWindows } from './spend-windows.ts';
export { recipientRoutes } from './recipient-routes.ts';
