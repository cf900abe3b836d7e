export { receiptRoutes } from './routes.ts';
export { findReceipt, receiptReference, type Receipt } from './receipt.ts';
