import {
  type Domain,
  type MailStore,
  addDomain,
  domainUserAddresses,
  findDomain,
  hasDomainUsers,
  listDomains,
  removeDomain,
  removeDomainAliases,
  removeUsersWithMail,
  updateDomain,
} from '@mailcluster/store';
import type { AuditLog } from './audit-log.ts';
import { type DkimDnsRecord, dkimDnsRecord, ensureDkimKey } from './dkim.ts';
import { AdminError } from './errors.ts';
import { parseDomain, parseQuota } from './inputs.ts';
import { checkMailboxTargets } from './mailbox-targets.ts';

/** Users deleted per round when a domain is removed by force: one page of the ByDomain index per db. */
const REMOVAL_PAGE = 1_000;

/** Hosted domains: add, list, remove, and their defaults (quota for new users, catch-all). */
export class DomainAdmin {
  readonly #store: MailStore;
  readonly #audit: AuditLog;

  constructor(store: MailStore, audit: AuditLog) {
    this.#store = store;
    this.#audit = audit;
  }

  /** Adds a hosted domain; false when it was already there (adding is idempotent). */
  add(name: string, defaultQuota: string | number = 0): Promise<boolean> {
    return this.#audit.change('domain.add', name, { defaultQuota }, () =>
      addDomain(this.#store.directory, { name: parseDomain(name), defaultQuotaBytes: parseQuota(defaultQuota) }),
    );
  }

  list(): Promise<Domain[]> {
    return listDomains(this.#store.directory);
  }

  async get(name: string): Promise<Domain> {
    const domain = await findDomain(this.#store.directory, parseDomain(name));
    if (domain === null) throw new AdminError('ADMIN_ERR_UNKNOWN_DOMAIN', name);
    return domain;
  }

  /** The DNS record that publishes the domain's DKIM key; the key is made on first ask (or first send). */
  async dkimRecord(name: string): Promise<DkimDnsRecord> {
    const domain = await this.get(name);
    return dkimDnsRecord(await ensureDkimKey(this.#store, domain.name));
  }

  /**
   * Removes a domain. Refused while any db holds a user of it, unless `force`: then its users go
   * first, with their mail, a page at a time on each db (so a removal cut short can be run again),
   * then its aliases, then the domain. Returns how many users were removed.
   */
  remove(name: string, options: { force: boolean }): Promise<{ users: number }> {
    return this.#audit.change('domain.remove', name, { force: options.force }, async () => {
      const domain = parseDomain(name);
      const hosted = (await findDomain(this.#store.directory, domain)) !== null;
      const populated = (await Promise.all(this.#store.pools.map((pool) => hasDomainUsers(pool, domain)))).some(Boolean);
      if (!hosted && !populated) throw new AdminError('ADMIN_ERR_UNKNOWN_DOMAIN', domain);
      if (populated && !options.force) throw new AdminError('ADMIN_ERR_DOMAIN_HAS_USERS', domain);
      let users = 0;
      for (const pool of this.#store.pools) {
        for (let page = await domainUserAddresses(pool, domain, '', REMOVAL_PAGE); page.length > 0; page = await domainUserAddresses(pool, domain, '', REMOVAL_PAGE)) {
          users += await removeUsersWithMail(pool, page);
        }
        await removeDomainAliases(pool, domain);
      }
      await removeDomain(this.#store.directory, domain);
      return { users };
    });
  }

  /** The quota new users of the domain get when none is given (0: no limit). */
  setDefaultQuota(name: string, quota: string | number): Promise<void> {
    return this.#audit.change('domain.set-quota', name, { defaultQuota: quota }, async () => {
      if (!(await updateDomain(this.#store.directory, parseDomain(name), { defaultQuotaBytes: parseQuota(quota) }))) throw new AdminError('ADMIN_ERR_UNKNOWN_DOMAIN', name);
    });
  }

  /** The mailbox of this domain that gets mail for its unknown addresses; null turns the catch-all off. */
  setCatchAll(name: string, target: string | null): Promise<void> {
    return this.#audit.change('domain.set-catch-all', name, { target }, async () => {
      const domain = parseDomain(name);
      const [mailbox = null] = target === null ? [] : await checkMailboxTargets(this.#store, [target], { max: 1 });
      if (!(await updateDomain(this.#store.directory, domain, { catchAll: mailbox }))) throw new AdminError('ADMIN_ERR_UNKNOWN_DOMAIN', domain);
    });
  }
}
