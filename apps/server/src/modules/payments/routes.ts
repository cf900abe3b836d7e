import type { FastifyInstance } from 'fastify';
import { confirmRoutes } from './confirm-routes.ts';
import { fundingRoutes } from './funding-routes.ts';
import { merchantPaymentRoutes } from './merchant-payment-routes.ts';
import { paymentRouteContext, type PaymentRouteDeps } from './payment-route-context.ts';
import { transferRoutes } from './transfer-routes.ts';
import { fraudReportRoutes } from './fraud-report-routes.ts';
import { reviewRoutes } from './review-routes.ts';
import { walletRoutes } from './wallet-routes.ts';

export type { PaymentRouteDeps } from './payment-route-context.ts';

/** Every money route of the payments module, sharing one context. */
export function paymentRoutes(deps: PaymentRouteDeps) {
  const context = paymentRouteContext(deps);
  const parts = [
    walletRoutes,
    transferRoutes,
    merchantPaymentRoutes,
    confirmRoutes,
    fundingRoutes,
    reviewRoutes,
    fraudReportRoutes,
  ];
  const plugins = parts.map((part) => part(context));
  return async function plugin(app: FastifyInstance): Promise<void> {
    for (const register of plugins) await register(app);
  };
}
