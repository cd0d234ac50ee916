import { type Logger, addressPrefix } from '@mailcluster/common';
import { type BlobStore, BlobMissingError, type DecodedMailCopy, deadLetter, decodeMailCopy } from '@mailcluster/queue';
import type { MailStore } from '@mailcluster/store';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { copyToRow } from './copy-row.ts';
import type { WriterMetrics } from './metrics.ts';
import { type PreparedCopy, type WriteOutcome, writeDbBatch } from './shard-batch.ts';

export interface MailWriterDeps {
  store: MailStore;
  blobs: BlobStore;
  js: JetStreamClient;
  metrics: WriterMetrics;
  log: Logger;
  maxDataAttempts: number;
}

/** Back-off before a copy whose data failed is tried again, by delivery count. */
const DATA_RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000];
/** Back-off while a db is unreachable, growing with consecutive failed batches of that db. */
const DB_RETRY_BASE_MS = 1_000;
const DB_RETRY_MAX_MS = 30_000;

type Prepared = { msg: JsMsg; db: number; copy: DecodedMailCopy; prepared: PreparedCopy };

/**
 * Stores batches of MAIL_IN copies. Each copy of a batch ends in exactly one of: acked after its
 * row is committed (or found already stored), handed back with a delay (db unreachable, or a data
 * problem not yet tried `maxDataAttempts` times), or moved to MAIL_DEAD and terminated. Nothing is
 * acked before COMMIT and nothing is dropped without a dead-letter copy.
 */
export class MailWriter {
  readonly #deps: MailWriterDeps;
  readonly #dbFailures = new Map<number, number>();

  constructor(deps: MailWriterDeps) {
    this.#deps = deps;
  }

  /** Never rejects: every message is settled. */
  async writeBatch(messages: readonly JsMsg[]): Promise<void> {
    const { metrics } = this.#deps;
    metrics.batchCopies.observe(messages.length);
    const byDb = new Map<number, Prepared[]>();
    await Promise.all(
      messages.map(async (msg) => {
        const prepared = await this.#prepare(msg);
        if (prepared === undefined) return;
        const group = byDb.get(prepared.db);
        if (group) group.push(prepared);
        else byDb.set(prepared.db, [prepared]);
      }),
    );
    await Promise.all([...byDb].map(([db, items]) => this.#writeDb(db, items)));
  }

  /** Decodes a copy and loads its body; settles (and returns undefined) what cannot go further. */
  async #prepare(msg: JsMsg): Promise<Prepared | undefined> {
    let decoded;
    try {
      decoded = decodeMailCopy(msg.data);
    } catch (error) {
      await this.#deadLetter(msg, 'bad_envelope', error);
      return undefined;
    }
    const { copy } = decoded;
    let raw = decoded.raw;
    if (copy.blobKey !== undefined) {
      try {
        raw = await this.#deps.blobs.get(copy.blobKey);
      } catch (error) {
        if (error instanceof BlobMissingError) await this.#deadLetter(msg, 'blob_missing', error);
        else this.#retry(msg, 'blob_unavailable', this.#delayForData(msg));
        return undefined;
      }
    }
    const prefix = addressPrefix(copy.recipient);
    try {
      return { msg, copy, db: this.#deps.store.dbOfPrefix(prefix), prepared: { prefix, row: copyToRow(copy, raw) } };
    } catch (error) {
      await this.#dataFailure(msg, 'unroutable', error);
      return undefined;
    }
  }

  async #writeDb(db: number, items: Prepared[]): Promise<void> {
    const { metrics } = this.#deps;
    const timer = metrics.batchSeconds.startTimer({ db: String(db) });
    const outcomes = await writeDbBatch(this.#deps.store, db, items.map((item) => item.prepared));
    timer();
    const committedAt = Date.now();
    const dbFault = outcomes.find((o) => o.kind === 'retry');
    if (dbFault !== undefined) {
      const failures = (this.#dbFailures.get(db) ?? 0) + 1;
      this.#dbFailures.set(db, failures);
      const full = dbFault.reason === 'db_full';
      metrics.dbErrors.inc({ db: String(db), kind: full ? 'full' : 'unavailable' });
      if (failures === 1 || failures % 10 === 0) {
        this.#deps.log.warn({ db, failures, err: dbFault.error }, full ? 'db out of space; copies handed back' : 'db unavailable; copies handed back');
      }
    } else if (this.#dbFailures.delete(db)) {
      this.#deps.log.info({ db }, 'db reachable again');
    }
    await Promise.all(items.map((item, i) => this.#settle(item, outcomes[i] as WriteOutcome, committedAt, db)));
  }

  async #settle(item: Prepared, outcome: WriteOutcome, committedAt: number, db: number): Promise<void> {
    const { metrics } = this.#deps;
    switch (outcome.kind) {
      case 'stored':
        item.msg.ack();
        metrics.stored.inc();
        metrics.acceptToCommitSeconds.observe(Math.max(0, committedAt - item.copy.acceptedAt) / 1000);
        return;
      case 'retry': {
        const failures = this.#dbFailures.get(db) ?? 1;
        this.#retry(item.msg, outcome.reason, Math.min(DB_RETRY_BASE_MS * 2 ** (failures - 1), DB_RETRY_MAX_MS));
        return;
      }
      case 'rejected':
        metrics.dbErrors.inc({ db: String(db), kind: 'rejected' });
        await this.#dataFailure(item.msg, outcome.reason, outcome.error);
    }
  }

  /** A problem with this copy's data: try again a few times (it may be a passing fault), then dead-letter. */
  async #dataFailure(msg: JsMsg, reason: string, error: unknown): Promise<void> {
    if (msg.info.deliveryCount >= this.#deps.maxDataAttempts) {
      await this.#deadLetter(msg, reason, error);
    } else {
      this.#deps.log.warn({ err: error, reason, deliveries: msg.info.deliveryCount, seq: msg.seq }, 'copy not stored; will retry');
      this.#retry(msg, reason, this.#delayForData(msg));
    }
  }

  #delayForData(msg: JsMsg): number {
    return DATA_RETRY_DELAYS_MS[Math.min(msg.info.deliveryCount - 1, DATA_RETRY_DELAYS_MS.length - 1)] ?? 1_000;
  }

  #retry(msg: JsMsg, reason: string, delayMs: number): void {
    this.#deps.metrics.retried.inc({ reason });
    msg.nak(delayMs);
  }

  async #deadLetter(msg: JsMsg, reason: string, error: unknown): Promise<void> {
    if (await deadLetter(this.#deps.js, msg, reason, error, this.#deps.log)) this.#deps.metrics.deadLettered.inc({ reason });
    else this.#retry(msg, 'dead_letter_failed', 30_000);
  }
}
