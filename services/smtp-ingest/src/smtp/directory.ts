import { addressDomain } from '@mailcluster/common';
import { type Domain, type MailStore, findAliasTargets, findDomain, findUser, listDomains } from '@mailcluster/store';

export type MailboxState = 'active' | 'disabled' | 'unknown';

/** What recipient resolution needs of a mailbox: its state, quota and forwarding. */
export interface MailboxInfo {
  state: MailboxState;
  quotaBytes: number;
  usedBytes: number;
  forwardTo: readonly string[];
  keepForwardedCopy: boolean;
}

const UNKNOWN: MailboxInfo = { state: 'unknown', quotaBytes: 0, usedBytes: 0, forwardTo: [], keepForwardedCopy: true };

/** Quota 0 is no limit. A mailbox is full when its use has reached its quota, or would pass it with a message of `incomingBytes` (a declared SIZE). */
export function isOverQuota(mailbox: MailboxInfo, incomingBytes = 0): boolean {
  if (mailbox.quotaBytes === 0) return false;
  return mailbox.usedBytes >= mailbox.quotaBytes || mailbox.usedBytes + incomingBytes > mailbox.quotaBytes;
}

/** How long "not hosted" is remembered for one domain, so relay attempts do not hammer db 0. */
const DOMAIN_MISS_MS = 1_000;
/** Bound on remembered misses and mailboxes (a dictionary attack must not grow memory). */
const MAX_CACHED = 100_000;

/**
 * What ingest asks the store about recipients, cached briefly: the hosted domains with their
 * catch-alls (from db 0), mailboxes and aliases (on their home db). A domain missing from the cached
 * list is looked up directly, and only answers that a mailbox or alias exists are cached, so a
 * domain or user created a moment ago gets mail at once. A mailbox with a quota is not cached (one
 * primary-key read per recipient), so "full" is decided on its current use, and mail flows again
 * as soon as the quota is raised or mail deleted. A failed lookup throws, and the caller answers 451.
 */
export class Directory {
  readonly #store: MailStore;
  readonly #cacheMs: number;
  #domains: { byName: Map<string, Domain>; loadedAt: number } | undefined;
  #loadingDomains: Promise<Map<string, Domain>> | undefined;
  readonly #mailboxes = new Map<string, { info: MailboxInfo; at: number }>();
  readonly #aliases = new Map<string, { targets: string[]; at: number }>();

  constructor(store: MailStore, cacheMs: number) {
    this.#store = store;
    this.#cacheMs = cacheMs;
  }

  readonly #domainMisses = new Map<string, number>();

  async isHostedDomain(address: string): Promise<boolean> {
    const domain = addressDomain(address);
    return (await this.#domain(domain)) !== null;
  }

  /** The mailbox that gets the domain's mail for unknown addresses, or null. */
  async catchAll(address: string): Promise<string | null> {
    return (await this.#domain(addressDomain(address)))?.catchAll ?? null;
  }

  async #domain(domain: string): Promise<Domain | null> {
    const hosted = await this.#hostedDomains();
    const known = hosted.get(domain);
    if (known !== undefined) return known;
    const missedAt = this.#domainMisses.get(domain);
    if (missedAt !== undefined && Date.now() - missedAt < DOMAIN_MISS_MS) return null;
    const found = await findDomain(this.#store.directory, domain);
    if (found !== null) {
      hosted.set(domain, found);
      return found;
    }
    if (this.#domainMisses.size >= MAX_CACHED) this.#domainMisses.clear();
    this.#domainMisses.set(domain, Date.now());
    return null;
  }

  async mailboxState(address: string): Promise<MailboxState> {
    return (await this.mailbox(address)).state;
  }

  async mailbox(address: string): Promise<MailboxInfo> {
    const now = Date.now();
    const cached = this.#mailboxes.get(address);
    if (cached && now - cached.at < this.#cacheMs) return cached.info;
    const user = await findUser(this.#store.homePool(address), address);
    const info: MailboxInfo = user === null ? UNKNOWN : { ...user, state: user.disabled ? 'disabled' : 'active' };
    // A mailbox with a quota is read every time, so its use is exact when mail arrives.
    if (info.state === 'unknown' || info.quotaBytes > 0) {
      this.#mailboxes.delete(address);
    } else {
      if (this.#mailboxes.size >= MAX_CACHED) this.#mailboxes.clear();
      this.#mailboxes.set(address, { info, at: now });
    }
    return info;
  }

  /** The mailboxes an alias sends to (empty: not an alias). */
  async aliasTargets(address: string): Promise<string[]> {
    const now = Date.now();
    const cached = this.#aliases.get(address);
    if (cached && now - cached.at < this.#cacheMs) return cached.targets;
    const targets = await findAliasTargets(this.#store.homePool(address), address);
    if (targets.length === 0) {
      this.#aliases.delete(address);
    } else {
      if (this.#aliases.size >= MAX_CACHED) this.#aliases.clear();
      this.#aliases.set(address, { targets, at: now });
    }
    return targets;
  }

  async #hostedDomains(): Promise<Map<string, Domain>> {
    const cached = this.#domains;
    if (cached && Date.now() - cached.loadedAt < this.#cacheMs) return cached.byName;
    this.#loadingDomains ??= listDomains(this.#store.directory)
      .then((domains) => {
        const byName = new Map(domains.map((domain) => [domain.name, domain]));
        this.#domains = { byName, loadedAt: Date.now() };
        return byName;
      })
      .finally(() => {
        this.#loadingDomains = undefined;
      });
    return this.#loadingDomains;
  }
}
