export { SecureLoginForm } from './SecureLoginForm';
export { DutyPage } from './DutyPage';
export { auditEntries } from './AuditEntries';
export { PolicyPage } from './PolicyPage';
export { SecurityUserMenu } from './SecurityMenu';
export { delegations } from './Delegations';
