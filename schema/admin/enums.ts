// Enums of the administration API: the roles a key can hold and the outcomes of audit entries.
import { registerEnumType } from 'type-graphql';
import { Role } from '../../src/auth/roles.js';
import { AuditOutcome } from '../../src/audit/audit-actions.js';

registerEnumType(Role, { name: 'Role', description: 'What a key or OIDC identity may do (see docs/security.md).' });
registerEnumType(AuditOutcome, { name: 'AuditOutcome' });

export { Role, AuditOutcome };
