import { createHash } from 'node:crypto';
import { addressPrefix } from '@mailcluster/common';
import {
  type BlobStore,
  MAIL_IN_STREAM,
  type MailCopy,
  type ParsedMail,
  encodeMailCopy,
  mailInSubject,
} from '@mailcluster/queue';
import type { JetStreamClient } from '@nats-io/jetstream';
import { smtpError } from '../errors.ts';
import type { CopyTarget } from '../smtp/listener-policy.ts';

/** What ingest hands to the queue once a message is acceptable. */
export interface AcceptedMessage {
  /** The bytes as the client sent them: what the idempotency key is computed from. */
  received: Buffer;
  /** The bytes to store: trace headers + received. */
  stored: Buffer;
  mailFrom: string;
  /** One per copy to store: each recipient's Inbox, and for submission the sender's Sent. */
  targets: readonly CopyTarget[];
  parsed: ParsedMail;
  acceptedAt: number;
}

export interface PublisherSettings {
  /** Bodies up to this size travel inline; larger ones, or ones that would not fit a NATS message, go to the blob store. */
  inlineMaxBytes: number;
  /** The broker's max_payload, minus room for headers. */
  maxPayloadBytes: number;
  timeoutMs: number;
}

/**
 * The idempotency key of one copy (DESIGN §4): sha256 of (recipient, raw as received). A Sent
 * copy hashes its folder in too, so mail a user sends to themselves is one Inbox and one Sent row.
 */
export function dedupeKey(target: CopyTarget, receivedHash: Buffer): string {
  const hash = createHash('sha256');
  if (target.folder !== 'inbox') hash.update(`${target.folder}:`);
  return hash.update(target.recipient).update('\0').update(receivedHash).digest('hex');
}

function isStorageFull(error: unknown): boolean {
  return error instanceof Error && /maximum (bytes|messages)|insufficient (resources|storage)|no space|storage.*(full|limit)/i.test(error.message);
}

/**
 * Publishes one copy per recipient to MAIL_IN and resolves only when JetStream has acknowledged
 * every one: that is the moment ingest takes responsibility and may answer 250. Any failure
 * rejects with a 4xx SmtpReplyError; copies already stored are harmless, because the sender's
 * retry carries the same Nats-Msg-Ids and the shard table's unique key absorbs what the
 * duplicate window does not.
 */
export class MailPublisher {
  readonly #js: JetStreamClient;
  readonly #blobs: BlobStore;
  readonly #settings: PublisherSettings;

  constructor(js: JetStreamClient, blobs: BlobStore, settings: PublisherSettings) {
    this.#js = js;
    this.#blobs = blobs;
    this.#settings = settings;
  }

  async publish(message: AcceptedMessage): Promise<void> {
    const receivedHash = createHash('sha256').update(message.received).digest();
    const base = {
      version: 1 as const,
      mailFrom: message.mailFrom,
      acceptedAt: message.acceptedAt,
      size: message.stored.length,
      parsed: message.parsed,
    };
    const copies = message.targets.map((target): MailCopy => ({ ...base, ...target, dedupeKey: dedupeKey(target, receivedHash) }));

    try {
      let payloads = copies.map((copy) => encodeMailCopy(copy, message.stored));
      const tooLarge = message.stored.length > this.#settings.inlineMaxBytes
        || payloads.some((payload) => payload.length > this.#settings.maxPayloadBytes);
      if (tooLarge) {
        const blobKey = await this.#blobs.put(message.stored);
        payloads = copies.map((copy) => encodeMailCopy({ ...copy, blobKey }, undefined));
      }
      await Promise.all(
        copies.map((copy, i) =>
          this.#js.publish(mailInSubject(addressPrefix(copy.recipient)), payloads[i], {
            msgID: copy.dedupeKey,
            expect: { streamName: MAIL_IN_STREAM },
            timeout: this.#settings.timeoutMs,
          }),
        ),
      );
    } catch (error) {
      throw isStorageFull(error)
        ? smtpError('SMTP_ERR_QUEUE_FULL')
        : Object.assign(smtpError('SMTP_ERR_QUEUE_UNAVAILABLE'), { cause: error });
    }
  }
}
