export { reportTable, runFault, topupTable, type FaultReport } from './battery.ts';
export { checkBank, type BankCheck } from './bank-checker.ts';
export { clusterHealthy, faults, type Fault } from './faults.ts';
export { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';
export { openBank, resolveUnknowns, runLoad, type Bank } from './workload.ts';
