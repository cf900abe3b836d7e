export {
  appendAudit,
  recordAudit,
  selfAction,
  verifyAuditLog,
  type AuditEntry,
  type AuditOutcome,
  type AuditVerification,
} from './audit-log.ts';
