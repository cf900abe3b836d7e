export {
  appendAudit,
  recordAudit,
  verifyAuditLog,
  type AuditEntry,
  type AuditOutcome,
  type AuditVerification,
} from './audit-log.ts';
