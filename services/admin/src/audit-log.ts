import { type AuditEntry, type AuditQuery, type MailStore, insertAuditEntry, listAuditEntries } from '@mailcluster/store';
import type { Actor } from './actor.ts';
import { AdminError } from './errors.ts';

/**
 * Every change an admin asks for passes here: refused for a viewer, run, and recorded with its
 * outcome (`ok`, or the error code it ended in) whatever happened. Reads are not recorded.
 */
export class AuditLog {
  readonly #store: MailStore;
  readonly #actor: Actor;

  constructor(store: MailStore, actor: Actor) {
    this.#store = store;
    this.#actor = actor;
  }

  get actor(): Actor {
    return this.#actor;
  }

  /** Runs a change as the actor; `detail` says what was asked (never a password or a token). */
  async change<T>(action: string, target: string, detail: Record<string, unknown> | null, work: () => Promise<T>): Promise<T> {
    let outcome = 'ok';
    try {
      if (this.#actor.role !== 'admin') throw new AdminError('ADMIN_ERR_FORBIDDEN', action);
      return await work();
    } catch (error) {
      outcome = error instanceof AdminError ? error.code : 'failed';
      throw error;
    } finally {
      await this.record({ action, target, outcome, detail });
    }
  }

  /** Records an event that is not a change through `change` (a sign-in, an import run's summary). */
  async record(event: { action: string; target: string; outcome: string; detail: Record<string, unknown> | null }): Promise<void> {
    await insertAuditEntry(this.#store.directory, {
      actor: this.#actor.name,
      action: event.action,
      target: event.target,
      outcome: event.outcome,
      detail: event.detail === null ? null : JSON.stringify(event.detail),
    });
  }

  list(query: AuditQuery): Promise<AuditEntry[]> {
    return listAuditEntries(this.#store.directory, query);
  }
}
