import { addressDomain } from '@mailcluster/common';
import {
  DuplicateUserError,
  FOLDERS,
  type MailStore,
  type MessageSummary,
  type User,
  type UserChange,
  type UserQuery,
  deleteUserSessions,
  findAliasTargets,
  findDomain,
  findUser,
  insertUsers,
  listMailbox,
  listUsers,
  recountUsage,
  removeUsersWithMail,
  updateUser,
} from '@mailcluster/store';
import type { AuditLog } from './audit-log.ts';
import { AdminError } from './errors.ts';
import { parseAddress, parseDisplayName, parseDomain, parseQuota } from './inputs.ts';
import { checkMailboxTargets } from './mailbox-targets.ts';
import { mergeByAddress } from './merge-pages.ts';
import { hashPassword, passwordProblem } from './passwords.ts';

export interface NewUserRequest {
  address: string;
  password: string;
  displayName?: string | undefined;
  /** Bytes or `500M`-style; absent: the domain's default. */
  quota?: string | number | undefined;
}

/** Forwarding targets: ten fit the column, and more is a list, which is what aliases are for. */
const MAX_FORWARDS = 10;

/**
 * Mail users: rows on their home db (DESIGN §3), never Kubernetes objects. Every change goes
 * through the audit log; reads do not.
 */
export class UserAdmin {
  readonly #store: MailStore;
  readonly #audit: AuditLog;

  constructor(store: MailStore, audit: AuditLog) {
    this.#store = store;
    this.#audit = audit;
  }

  create(request: NewUserRequest): Promise<User> {
    const detail = { displayName: request.displayName ?? '', quota: request.quota ?? null };
    return this.#audit.change('user.create', request.address, detail, async () => {
      const address = parseAddress(request.address);
      const displayName = parseDisplayName(request.displayName ?? '');
      const problem = passwordProblem(request.password, address);
      if (problem !== undefined) throw new AdminError('ADMIN_ERR_WEAK_PASSWORD', problem);
      const domain = await findDomain(this.#store.directory, addressDomain(address));
      if (domain === null) throw new AdminError('ADMIN_ERR_UNKNOWN_DOMAIN', addressDomain(address));
      const pool = this.#store.homePool(address);
      if ((await findAliasTargets(pool, address)).length > 0) throw new AdminError('ADMIN_ERR_ADDRESS_TAKEN', `${address} is an alias`);
      const user = {
        address,
        passwordHash: await hashPassword(request.password),
        displayName,
        quotaBytes: request.quota === undefined ? domain.defaultQuotaBytes : parseQuota(request.quota),
        domain: domain.name,
      };
      try {
        await insertUsers(pool, [user]);
      } catch (error) {
        if (error instanceof DuplicateUserError) throw new AdminError('ADMIN_ERR_DUPLICATE_USER', address);
        throw error;
      }
      return this.get(address);
    });
  }

  async get(addressInput: string): Promise<User> {
    const address = parseAddress(addressInput);
    const user = await findUser(this.#store.homePool(address), address);
    if (user === null) throw new AdminError('ADMIN_ERR_UNKNOWN_USER', address);
    return user;
  }

  /** Users across all dbs in address order, `limit` at a time after `after`, optionally by domain or search. */
  async list(query: UserQuery): Promise<User[]> {
    const normalized = { ...query, domain: query.domain === undefined ? undefined : parseDomain(query.domain), search: query.search?.trim().toLowerCase() };
    return mergeByAddress(await Promise.all(this.#store.pools.map((pool) => listUsers(pool, normalized))), query.limit);
  }

  /** Disabling also signs the user out everywhere; mail to a disabled user is refused (550 5.2.1). */
  setDisabled(addressInput: string, disabled: boolean): Promise<void> {
    return this.#audit.change(disabled ? 'user.disable' : 'user.enable', addressInput, null, async () => {
      const address = await this.#change(addressInput, { disabled });
      if (disabled) await this.#endSessions(address);
    });
  }

  setQuota(addressInput: string, quota: string | number): Promise<void> {
    return this.#audit.change('user.set-quota', addressInput, { quota }, async () => {
      await this.#change(addressInput, { quotaBytes: parseQuota(quota) });
    });
  }

  /** A new password, and every session of the user ended (the old password may be why). */
  resetPassword(addressInput: string, password: string): Promise<void> {
    return this.#audit.change('user.reset-password', addressInput, null, async () => {
      const address = parseAddress(addressInput);
      const problem = passwordProblem(password, address);
      if (problem !== undefined) throw new AdminError('ADMIN_ERR_WEAK_PASSWORD', problem);
      await this.#change(address, { passwordHash: await hashPassword(password) });
      await this.#endSessions(address);
    });
  }

  /** Copies of the user's mail to other hosted mailboxes; an empty list turns forwarding off. */
  setForwarding(addressInput: string, targets: readonly string[], keepCopy: boolean): Promise<void> {
    return this.#audit.change('user.set-forwarding', addressInput, { targets, keepCopy }, async () => {
      const address = parseAddress(addressInput);
      const checked = targets.length === 0 ? [] : await checkMailboxTargets(this.#store, targets, { max: MAX_FORWARDS, self: address });
      await this.#change(address, { forwardTo: checked, keepForwardedCopy: keepCopy });
    });
  }

  /** Deletes the user with all their mail, on their home db, and their sessions everywhere. */
  remove(addressInput: string): Promise<void> {
    return this.#audit.change('user.delete', addressInput, null, async () => {
      const address = (await this.get(addressInput)).address;
      await removeUsersWithMail(this.#store.homePool(address), [address]);
      await this.#endSessions(address);
    });
  }

  /** Sets the user's quota use from their stored mail (a repair; the writers keep it otherwise). */
  recount(addressInput: string): Promise<number> {
    return this.#audit.change('user.recount', addressInput, null, async () => {
      const address = (await this.get(addressInput)).address;
      return recountUsage(this.#store.homePool(address), address);
    });
  }

  /** The newest messages of one folder of a user's mailbox, for support work and smoke checks. */
  async listMail(addressInput: string, folder: keyof typeof FOLDERS, limit: number): Promise<MessageSummary[]> {
    const address = (await this.get(addressInput)).address;
    return listMailbox(this.#store.homePool(address), address, { folder: FOLDERS[folder], limit });
  }

  async #change(addressInput: string, change: UserChange): Promise<string> {
    const address = parseAddress(addressInput);
    if (!(await updateUser(this.#store.homePool(address), address, change))) throw new AdminError('ADMIN_ERR_UNKNOWN_USER', address);
    return address;
  }

  async #endSessions(address: string): Promise<void> {
    await Promise.all(this.#store.pools.map((pool) => deleteUserSessions(pool, 'WebSessions', address)));
  }
}
