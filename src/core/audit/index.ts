export { AUDIT_FORMATS, isAuditFormat, createAuditor, auditCookie, auditCookieAsync, type Auditor, type AuditFormat, type AuditOptions, type AuditSignerOptions, type AuditVerdict } from './auditor';
export { CandidateBatch, type Candidate } from './candidates';
export { WordlistReader, readWordlist, type WordlistOptions } from './wordlist';
export { BUILT_IN_SECRETS } from './builtin-secrets';
