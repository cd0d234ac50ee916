import { addressDomain, isDomainName, isMailboxAddress, normalizeAddress } from '@mailcluster/common';
import {
  type Domain,
  DuplicateUserError,
  FOLDERS,
  type MailStore,
  type MessageSummary,
  type User,
  addDomain,
  findDomain,
  findUser,
  insertUser,
  listDomains,
  listMailbox,
  listUsers,
} from '@mailcluster/store';
import { AdminError } from './errors.ts';
import { hashPassword, passwordProblem } from './passwords.ts';

export interface NewUserRequest {
  address: string;
  password: string;
  displayName?: string | undefined;
  quotaBytes?: number | undefined;
}

/**
 * The admin actions, in one place for every front (mailctl today; the admin API and pages later).
 * Inputs are checked here, not in the fronts. Users live on their home db (DESIGN §3), never in
 * Kubernetes objects.
 */
export class AdminService {
  readonly #store: MailStore;

  constructor(store: MailStore) {
    this.#store = store;
  }

  /** Adds a hosted domain; false when it was already there (adding is idempotent). */
  async addDomain(name: string, defaultQuotaBytes = 0): Promise<boolean> {
    const domain = name.trim().toLowerCase();
    if (!isDomainName(domain)) throw new AdminError('ADMIN_ERR_BAD_DOMAIN', JSON.stringify(name));
    return addDomain(this.#store.directory, { name: domain, defaultQuotaBytes });
  }

  listDomains(): Promise<Domain[]> {
    return listDomains(this.#store.directory);
  }

  async addUser(request: NewUserRequest): Promise<User> {
    const address = normalizeAddress(request.address);
    if (!isMailboxAddress(address)) throw new AdminError('ADMIN_ERR_BAD_ADDRESS', JSON.stringify(request.address));
    const problem = passwordProblem(request.password, address);
    if (problem !== undefined) throw new AdminError('ADMIN_ERR_WEAK_PASSWORD', problem);
    const domain = await findDomain(this.#store.directory, addressDomain(address));
    if (domain === null) throw new AdminError('ADMIN_ERR_UNKNOWN_DOMAIN', addressDomain(address));
    const user = {
      address,
      passwordHash: await hashPassword(request.password),
      displayName: request.displayName ?? '',
      quotaBytes: request.quotaBytes ?? domain.defaultQuotaBytes,
      domain: domain.name,
    };
    try {
      await insertUser(this.#store.homePool(address), user);
    } catch (error) {
      if (error instanceof DuplicateUserError) throw new AdminError('ADMIN_ERR_DUPLICATE_USER', address);
      throw error;
    }
    return { ...user, usedBytes: 0, disabled: false, createdAt: new Date() };
  }

  /** Users across all dbs in address order, `limit` at a time after `after`. */
  async listUsers(options: { domain?: string | undefined; after?: string | undefined; limit: number }): Promise<User[]> {
    const domain = options.domain?.toLowerCase();
    const pages = await Promise.all(this.#store.pools.map((pool) => listUsers(pool, { ...options, domain })));
    return pages
      .flat()
      .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0))
      .slice(0, options.limit);
  }

  /** The newest messages of one folder of a user's mailbox, for support work and smoke checks. */
  async listMail(addressInput: string, folder: keyof typeof FOLDERS, limit: number): Promise<MessageSummary[]> {
    const address = normalizeAddress(addressInput);
    const pool = this.#store.homePool(address);
    if ((await findUser(pool, address)) === null) throw new AdminError('ADMIN_ERR_UNKNOWN_USER', address);
    return listMailbox(pool, address, { folder: FOLDERS[folder], limit });
  }
}
