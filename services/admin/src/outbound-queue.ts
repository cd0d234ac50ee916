import {
  type DeliveryState,
  type DeliveryStateStore,
  MAIL_OUT_STREAM,
  type OutboundMessage,
  decodeFrame,
  outboundMessageSchema,
} from '@mailcluster/queue';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { AdminError } from './errors.ts';

/** One queued delivery as `mailctl queue list` shows it. */
export interface QueuedDelivery {
  seq: number;
  id: string;
  from: string;
  to: string;
  acceptedAt: Date;
  size: number;
  state: DeliveryState | undefined;
}

/**
 * The outbound queue (MAIL_OUT) for admins: what waits, and two actions — deliver now (retry) and
 * remove without delivering (drop). A message is found by the id its delivery carries (or a unique
 * prefix of it); the scan is bounded, as a queue listing is a support tool, not a hot path.
 */
export class OutboundQueue {
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #state: DeliveryStateStore;

  constructor(js: JetStreamClient, jsm: JetStreamManager, state: DeliveryStateStore) {
    this.#js = js;
    this.#jsm = jsm;
    this.#state = state;
  }

  async list(limit: number): Promise<QueuedDelivery[]> {
    const found: QueuedDelivery[] = [];
    for await (const entry of this.#scan()) {
      found.push({ ...entry, state: await this.#state.get(entry.id) });
      if (found.length >= limit) break;
    }
    return found;
  }

  /** Delivers a deferred message now: a fresh copy goes to the queue and the waiting one is removed. */
  async retry(id: string): Promise<QueuedDelivery> {
    const entry = await this.#find(id);
    await this.#js.publish(entry.subject, entry.data, { msgID: `${entry.id}.retry.${Date.now()}`, expect: { streamName: MAIL_OUT_STREAM } });
    await this.#jsm.streams.deleteMessage(MAIL_OUT_STREAM, entry.seq);
    return { ...entry, state: await this.#state.get(entry.id) };
  }

  /** Removes a message without delivering or bouncing it. */
  async drop(id: string): Promise<QueuedDelivery> {
    const entry = await this.#find(id);
    await this.#jsm.streams.deleteMessage(MAIL_OUT_STREAM, entry.seq);
    const state = await this.#state.get(entry.id);
    await this.#state.delete(entry.id);
    return { ...entry, state };
  }

  async #find(idPrefix: string): Promise<QueuedDelivery & { subject: string; data: Uint8Array }> {
    if (!/^[0-9a-f]{6,64}$/.test(idPrefix)) throw new AdminError('ADMIN_ERR_UNKNOWN_DELIVERY', JSON.stringify(idPrefix));
    const matches = [];
    for await (const entry of this.#scan()) if (entry.id.startsWith(idPrefix)) matches.push(entry);
    const [only] = matches;
    if (only === undefined || matches.length > 1) throw new AdminError('ADMIN_ERR_UNKNOWN_DELIVERY', `${idPrefix}${matches.length > 1 ? ' (matches several; give more of the id)' : ''}`);
    return { ...only, state: undefined };
  }

  async *#scan(): AsyncGenerator<Omit<QueuedDelivery, 'state'> & { subject: string; data: Uint8Array }> {
    const info = await this.#jsm.streams.info(MAIL_OUT_STREAM);
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const stored = await this.#jsm.streams.getMessage(MAIL_OUT_STREAM, { seq }).catch(() => null);
      if (stored === null) continue; // delivered (acked) or deleted
      let meta: OutboundMessage;
      try {
        meta = decodeFrame(stored.data, outboundMessageSchema).meta;
      } catch {
        continue; // unreadable: the delivery workers dead-letter it
      }
      yield { seq, id: meta.id, from: meta.mailFrom, to: meta.recipient, acceptedAt: new Date(meta.acceptedAt), size: meta.size, subject: stored.subject, data: stored.data };
    }
  }
}
