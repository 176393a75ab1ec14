// The tamper-evident audit log.
export { AuditLog, DEFAULT_AUDIT_PAGE, MAX_AUDIT_PAGE } from './audit-log.js';
export type {
  AuditActor,
  AuditRecordInput,
  AuditEntryView,
  AuditFilter,
  AuditPageOptions,
  AuditPage,
  AuditReadScope,
  AuditRecorder,
  AuditLogOptions,
} from './audit-log.js';
export { AuditAction, AuditOutcome, ACTION_PATTERN, REFUSED_OPERATION_PREFIX, type AuditActionName, type KnownAuditAction } from './audit-actions.js';
export { AuditEntry } from './audit-entry.entity.js';
export { verifyAuditChain, type ChainVerification, type ChainBreak, type ChainAnchor } from './verify-chain.js';
export { canonicalJson } from './canonical-json.js';
export { entryHash, paramsDigest, GENESIS_HASH, AUDIT_PARAMS_PURPOSE } from './chain.js';
export { AuditError, type AuditErrorCode } from './errors.js';
