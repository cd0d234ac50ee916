import { addressDomain } from '@mailcluster/common';
import { type MailStore, findDomain, findUser, listDomains } from '@mailcluster/store';

export type MailboxState = 'active' | 'disabled' | 'unknown';

/** How long "not hosted" is remembered for one domain, so relay attempts do not hammer db 0. */
const DOMAIN_MISS_MS = 1_000;
/** Bound on remembered misses and mailboxes (a dictionary attack must not grow memory). */
const MAX_CACHED = 100_000;

/**
 * What ingest asks the store about recipients, cached briefly: the hosted domains (from db 0) and
 * whether a mailbox exists (on its home db). A domain missing from the cached list is looked up
 * directly, and only answers that a mailbox exists are cached, so a domain or user created a moment
 * ago gets mail at once. A failed lookup throws, and the caller answers 451.
 */
export class Directory {
  readonly #store: MailStore;
  readonly #cacheMs: number;
  #domains: { names: Set<string>; loadedAt: number } | undefined;
  #loadingDomains: Promise<Set<string>> | undefined;
  readonly #mailboxes = new Map<string, { state: MailboxState; at: number }>();

  constructor(store: MailStore, cacheMs: number) {
    this.#store = store;
    this.#cacheMs = cacheMs;
  }

  readonly #domainMisses = new Map<string, number>();

  async isHostedDomain(address: string): Promise<boolean> {
    const domain = addressDomain(address);
    const hosted = await this.#hostedDomains();
    if (hosted.has(domain)) return true;
    const missedAt = this.#domainMisses.get(domain);
    if (missedAt !== undefined && Date.now() - missedAt < DOMAIN_MISS_MS) return false;
    if ((await findDomain(this.#store.directory, domain)) !== null) {
      hosted.add(domain);
      return true;
    }
    if (this.#domainMisses.size >= MAX_CACHED) this.#domainMisses.clear();
    this.#domainMisses.set(domain, Date.now());
    return false;
  }

  async mailboxState(address: string): Promise<MailboxState> {
    const now = Date.now();
    const cached = this.#mailboxes.get(address);
    if (cached && now - cached.at < this.#cacheMs) return cached.state;
    const user = await findUser(this.#store.homePool(address), address);
    const state: MailboxState = user === null ? 'unknown' : user.disabled ? 'disabled' : 'active';
    if (state === 'unknown') {
      this.#mailboxes.delete(address);
    } else {
      if (this.#mailboxes.size >= MAX_CACHED) this.#mailboxes.clear();
      this.#mailboxes.set(address, { state, at: now });
    }
    return state;
  }

  async #hostedDomains(): Promise<Set<string>> {
    const cached = this.#domains;
    if (cached && Date.now() - cached.loadedAt < this.#cacheMs) return cached.names;
    this.#loadingDomains ??= listDomains(this.#store.directory)
      .then((domains) => {
        const names = new Set(domains.map((domain) => domain.name));
        this.#domains = { names, loadedAt: Date.now() };
        return names;
      })
      .finally(() => {
        this.#loadingDomains = undefined;
      });
    return this.#loadingDomains;
  }
}
