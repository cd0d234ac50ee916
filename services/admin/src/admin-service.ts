import type { MailStore } from '@mailcluster/store';
import type { Actor } from './actor.ts';
import { AdminAccounts } from './admin-accounts.ts';
import { AliasAdmin } from './alias-admin.ts';
import { AuditLog } from './audit-log.ts';
import { DomainAdmin } from './domain-admin.ts';
import { UserExport } from './bulk/user-export.ts';
import { UserImport } from './bulk/user-import.ts';
import { UserAdmin } from './user-admin.ts';

/**
 * The admin actions, in one place for every front: mailctl, the admin REST API and the admin pages.
 * Inputs are checked here, not in the fronts, and every change is authorised and audited here
 * (see AuditLog), as `actor`. Cheap to make: one per CLI run or per request.
 */
export class AdminService {
  readonly audit: AuditLog;
  readonly domains: DomainAdmin;
  readonly users: UserAdmin;
  readonly aliases: AliasAdmin;
  readonly admins: AdminAccounts;
  readonly imports: UserImport;
  readonly exports: UserExport;

  constructor(store: MailStore, actor: Actor) {
    this.audit = new AuditLog(store, actor);
    this.domains = new DomainAdmin(store, this.audit);
    this.users = new UserAdmin(store, this.audit);
    this.aliases = new AliasAdmin(store, this.audit);
    this.admins = new AdminAccounts(store, this.audit);
    this.imports = new UserImport(store, this.audit);
    this.exports = new UserExport(store, this.audit);
  }
}
