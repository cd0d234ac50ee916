import { mailTableName } from '@mailcluster/common';
import type { Pool } from './pools.ts';
import { existingMailPrefixes, mailTableDdl } from './schema.ts';

/**
 * Knows which mail tables exist on one db and creates missing ones on first use, so the hot path
 * never asks the server (DDL also commits implicitly, so it must run outside batch transactions).
 */
export class MailTables {
  readonly #pool: Pool;
  #known: Set<string> | undefined;
  readonly #creating = new Map<string, Promise<void>>();

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async ensure(prefix: string): Promise<void> {
    this.#known ??= await existingMailPrefixes(this.#pool);
    if (this.#known.has(prefix)) return;
    let pending = this.#creating.get(prefix);
    if (!pending) {
      pending = this.#pool
        .query(mailTableDdl(mailTableName(prefix)))
        .then(() => {
          this.#known?.add(prefix);
        })
        .finally(() => this.#creating.delete(prefix));
      this.#creating.set(prefix, pending);
    }
    await pending;
  }

  /** Forget what is known (after a db restore, say); the next ensure re-reads the catalogue. */
  reset(): void {
    this.#known = undefined;
  }
}
