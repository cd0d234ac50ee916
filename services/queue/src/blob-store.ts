import { createHash } from 'node:crypto';
import { type JetStreamClient, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { type ObjectStore, Objm } from '@nats-io/obj';
import { MAIL_BLOB_BUCKET } from './names.ts';

export interface BlobStoreSettings {
  replicas: number;
  /**
   * How long a blob is kept. Blobs are shared by every recipient copy of one message and by a
   * sender's retries (content-addressed), so none is deleted on use; this age must exceed the
   * longest time a copy may wait in MAIL_IN for its db.
   */
  ttlMs: number;
  maxBytes: number;
}

/**
 * Message bodies larger than what one NATS message may carry travel as a claim check: the bytes go
 * into a JetStream object store (chunked, replicated like the streams) and the copy names them.
 */
export interface BlobStore {
  /** Stores `raw` (once per content) and returns its key; resolves only when it is durable. */
  put(raw: Uint8Array): Promise<string>;
  get(key: string): Promise<Buffer>;
}

/** The blob a copy names is gone (expired): the copy can never be stored. */
export class BlobMissingError extends Error {
  override name = 'BlobMissingError';
}

export async function openBlobStore(js: JetStreamClient, settings: BlobStoreSettings): Promise<BlobStore> {
  const store: ObjectStore = await new Objm(js).create(MAIL_BLOB_BUCKET, {
    storage: StorageType.File,
    replicas: settings.replicas,
    ttl: nanos(settings.ttlMs),
    max_bytes: settings.maxBytes,
  });
  return {
    async put(raw) {
      const key = `sha256-${createHash('sha256').update(raw).digest('hex')}`;
      // The meta entry is written last, so its presence means the whole object is stored.
      const existing = await store.info(key);
      if (existing !== null && !existing.deleted && existing.size === raw.byteLength) return key;
      await store.putBlob({ name: key }, raw);
      return key;
    },
    async get(key) {
      const data = await store.getBlob(key);
      if (data === null) throw new BlobMissingError(`blob ${key} is missing from ${MAIL_BLOB_BUCKET}`);
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    },
  };
}
