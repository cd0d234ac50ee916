import { addressDomain } from '@mailcluster/common';
import { type Alias, type MailStore, addAliasTargets, findAliasTargets, findDomain, findUser, listAliases, removeAliasTargets } from '@mailcluster/store';
import type { AuditLog } from './audit-log.ts';
import { AdminError } from './errors.ts';
import { parseAddress, parseDomain } from './inputs.ts';
import { checkMailboxTargets } from './mailbox-targets.ts';
import { mergeByAddress } from './merge-pages.ts';

/** One alias may fan out to this many mailboxes (one message becomes one copy per target). */
const MAX_ALIAS_TARGETS = 100;

/** Aliases: addresses of a hosted domain without a mailbox, whose mail goes to hosted mailboxes. */
export class AliasAdmin {
  readonly #store: MailStore;
  readonly #audit: AuditLog;

  constructor(store: MailStore, audit: AuditLog) {
    this.#store = store;
    this.#audit = audit;
  }

  /** Creates the alias or adds targets to it; returns it with all its targets. */
  add(addressInput: string, targetInputs: readonly string[]): Promise<Alias> {
    return this.#audit.change('alias.add', addressInput, { targets: targetInputs }, async () => {
      const address = parseAddress(addressInput);
      const domain = addressDomain(address);
      if ((await findDomain(this.#store.directory, domain)) === null) throw new AdminError('ADMIN_ERR_UNKNOWN_DOMAIN', domain);
      const pool = this.#store.homePool(address);
      if ((await findUser(pool, address)) !== null) throw new AdminError('ADMIN_ERR_ADDRESS_TAKEN', `${address} is a user (use forwarding)`);
      const targets = await checkMailboxTargets(this.#store, targetInputs, { max: MAX_ALIAS_TARGETS, self: address });
      const known = await findAliasTargets(pool, address);
      if (new Set([...known, ...targets]).size > MAX_ALIAS_TARGETS) throw new AdminError('ADMIN_ERR_BAD_REQUEST', `an alias has at most ${MAX_ALIAS_TARGETS} targets`);
      await addAliasTargets(pool, { address, domain }, targets);
      return { address, targets: await findAliasTargets(pool, address) };
    });
  }

  /** Removes some targets, or the whole alias when none are named. */
  remove(addressInput: string, targetInputs: readonly string[] = []): Promise<void> {
    return this.#audit.change('alias.remove', addressInput, { targets: targetInputs }, async () => {
      const address = parseAddress(addressInput);
      const removed = await removeAliasTargets(this.#store.homePool(address), address, targetInputs.map(parseAddress));
      if (removed === 0) throw new AdminError('ADMIN_ERR_UNKNOWN_ALIAS', address);
    });
  }

  async get(addressInput: string): Promise<Alias> {
    const address = parseAddress(addressInput);
    const targets = await findAliasTargets(this.#store.homePool(address), address);
    if (targets.length === 0) throw new AdminError('ADMIN_ERR_UNKNOWN_ALIAS', address);
    return { address, targets };
  }

  /** Aliases across all dbs in address order (merged like users). */
  async list(query: { domain?: string | undefined; after?: string | undefined; limit: number }): Promise<Alias[]> {
    const normalized = { ...query, domain: query.domain === undefined ? undefined : parseDomain(query.domain) };
    return mergeByAddress(await Promise.all(this.#store.pools.map((pool) => listAliases(pool, normalized))), query.limit);
  }
}
