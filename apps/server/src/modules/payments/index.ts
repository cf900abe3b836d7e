export { paymentRoutes, type PaymentRouteDeps } from './routes.ts';
export { createSystemAccounts, type SystemAccounts } from './system-accounts.ts';
export { expireHolds } from './expire-holds.ts';
export { walletView } from './payment-views.ts';
export { feeReturnedFor } from './refund-command.ts';
export {
  insertPaymentsSql,
  newPaymentRecord,
  paymentChangeRow,
  paymentRow,
  paymentWireId,
  selectPayment,
  updatePaymentsSql,
  type PaymentRecord,
} from './payment-record.ts';
export { wireAmount } from './payment-views.ts';
export { paymentEvents } from './payment-events.ts';
