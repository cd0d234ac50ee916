import { addressDomain } from '@mailcluster/common';
import { type MailStore, findUser, listDomains } from '@mailcluster/store';

export type MailboxState = 'active' | 'disabled' | 'unknown';

/**
 * What ingest asks the store about recipients, cached briefly: the hosted domains (from db 0) and
 * whether a mailbox exists (on its home db). Only answers that a mailbox exists are cached, so a
 * user created a moment ago gets mail at once; a failed lookup throws, and the caller answers 451.
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

  async isHostedDomain(address: string): Promise<boolean> {
    return (await this.#hostedDomains()).has(addressDomain(address));
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
      if (this.#mailboxes.size > 100_000) this.#mailboxes.clear(); // bound the cache under a dictionary attack
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
