import type { JetStreamClient } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import { type DeliveryState, MAIL_OUT_STATE_BUCKET, deliveryStateSchema } from './outbound.ts';

/**
 * Per-message delivery state in a JetStream key-value bucket (replicated like the streams): what
 * the delivery workers need across attempts and restarts, and what `mailctl queue list` shows.
 * Entries expire on their own a while after the message's give-up time.
 */
export interface DeliveryStateStore {
  get(id: string): Promise<DeliveryState | undefined>;
  put(id: string, state: DeliveryState): Promise<void>;
  delete(id: string): Promise<void>;
}

export async function openDeliveryState(js: JetStreamClient, settings: { replicas: number; ttlMs: number }): Promise<DeliveryStateStore> {
  // The KV client takes milliseconds here (the object store takes nanoseconds).
  return stateStore(await new Kvm(js).create(MAIL_OUT_STATE_BUCKET, { replicas: settings.replicas, history: 1, ttl: settings.ttlMs }));
}

/** The bucket the delivery workers made, for tools that read the queue without owning its settings. */
export async function attachDeliveryState(js: JetStreamClient): Promise<DeliveryStateStore> {
  return stateStore(await new Kvm(js).open(MAIL_OUT_STATE_BUCKET));
}

function stateStore(kv: KV): DeliveryStateStore {
  return {
    async get(id) {
      const entry = await kv.get(id);
      if (entry === null || entry.operation !== 'PUT') return undefined;
      const parsed = deliveryStateSchema.safeParse(entry.json());
      return parsed.success ? parsed.data : undefined;
    },
    async put(id, state) {
      await kv.put(id, JSON.stringify(state));
    },
    async delete(id) {
      await kv.delete(id);
    },
  };
}
