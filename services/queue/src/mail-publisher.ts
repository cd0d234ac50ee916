import { createHash } from 'node:crypto';
import { addressDomain, addressPrefix } from '@mailcluster/common';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { BlobStore } from './blob-store.ts';
import { type MailCopy, type ParsedMail, encodeFrame } from './envelope.ts';
import { MAIL_IN_STREAM, mailInSubject } from './names.ts';
import { MAIL_OUT_STREAM, type OutboundMessage, mailOutSubject } from './outbound.ts';

/** Where one copy of an accepted message is filed: a hosted mailbox's folder. */
export interface CopyTarget {
  recipient: string;
  folder: 'inbox' | 'sent';
  seen: boolean;
}

/** A message the queue takes responsibility for: copies for hosted mailboxes, deliveries elsewhere. */
export interface AcceptedMessage {
  /** The bytes as the client sent them: what the idempotency keys are computed from. */
  received: Buffer;
  /** What a hosted mailbox stores (trace headers with Return-Path, then the message). */
  stored: Buffer;
  /** What is relayed to other domains (our Received line, then the message; no Return-Path). */
  relayed: Buffer;
  mailFrom: string;
  targets: readonly CopyTarget[];
  /** Recipients on other domains, one MAIL_OUT message each. */
  remote: readonly string[];
  parsed: ParsedMail;
  acceptedAt: number;
  /**
   * Hashed instead of `received` for the idempotency keys: for messages we generate (a DSN), whose
   * bytes differ each time they are made but which must be stored once however often they are made.
   */
  idempotencyKey?: string;
}

export interface PublisherSettings {
  /** Bodies up to this size travel inline; larger ones, or ones that would not fit a NATS message, go to the blob store. */
  inlineMaxBytes: number;
  /** The broker's max_payload, minus room for headers. */
  maxPayloadBytes: number;
  timeoutMs: number;
}

/** The queue refused the message: it is full (retry later) or unreachable (retry later). */
export class QueueRefusedError extends Error {
  override name = 'QueueRefusedError';
  readonly full: boolean;
  constructor(full: boolean, cause: unknown) {
    super(full ? 'queue full' : 'queue unavailable', { cause });
    this.full = full;
  }
}

/**
 * The idempotency key of one copy (DESIGN §4): sha256 of (recipient, raw as received). A Sent copy
 * and an outbound delivery hash their kind in too, so mail a user sends to themselves is one Inbox
 * and one Sent row, and a relayed copy never collides with a stored one.
 */
export function dedupeKey(kind: 'inbox' | 'sent' | 'out', recipient: string, receivedHash: Buffer): string {
  const hash = createHash('sha256');
  if (kind !== 'inbox') hash.update(`${kind}:`);
  return hash.update(recipient).update('\0').update(receivedHash).digest('hex');
}

function isStorageFull(error: unknown): boolean {
  return error instanceof Error && /maximum (bytes|messages)|insufficient (resources|storage)|no space|storage.*(full|limit)/i.test(error.message);
}

interface Publication {
  subject: string;
  stream: string;
  msgID: string;
  meta: MailCopy | OutboundMessage;
  /** The bytes this publication carries inline. */
  body: Buffer;
}

/**
 * Publishes every copy (MAIL_IN) and every remote delivery (MAIL_OUT) of a message and resolves
 * only when JetStream has acknowledged all of them: the moment the sender may be told 250. Any
 * failure rejects with QueueRefusedError; what was already stored is harmless, because a retry
 * carries the same Nats-Msg-Ids and the writers' unique key absorbs what the duplicate window does not.
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
    const receivedHash = createHash('sha256').update(message.idempotencyKey ?? message.received).digest();
    const publications: Publication[] = [
      ...message.targets.map((target): Publication => {
        const id = dedupeKey(target.folder, target.recipient, receivedHash);
        const meta: MailCopy = { version: 1, ...target, mailFrom: message.mailFrom, acceptedAt: message.acceptedAt, dedupeKey: id, size: message.stored.length, parsed: message.parsed };
        return { subject: mailInSubject(addressPrefix(target.recipient)), stream: MAIL_IN_STREAM, msgID: id, meta, body: message.stored };
      }),
      ...message.remote.map((recipient): Publication => {
        const id = dedupeKey('out', recipient, receivedHash);
        const meta: OutboundMessage = { version: 1, id, mailFrom: message.mailFrom, recipient, acceptedAt: message.acceptedAt, size: message.relayed.length, messageId: message.parsed.messageId };
        return { subject: mailOutSubject(addressDomain(recipient)), stream: MAIL_OUT_STREAM, msgID: id, meta, body: message.relayed };
      }),
    ];
    // Each body goes to the blob store at most once, however many copies name it.
    const blobKeys = new Map<Buffer, Promise<string>>();
    const blobKey = (body: Buffer) => {
      let key = blobKeys.get(body);
      if (!key) blobKeys.set(body, (key = this.#blobs.put(body)));
      return key;
    };
    try {
      await Promise.all(
        publications.map(async (p) => {
          const inline = encodeFrame(p.meta, p.body);
          const payload = p.body.length > this.#settings.inlineMaxBytes || inline.length > this.#settings.maxPayloadBytes
            ? encodeFrame({ ...p.meta, blobKey: await blobKey(p.body) }, undefined)
            : inline;
          await this.#js.publish(p.subject, payload, { msgID: p.msgID, expect: { streamName: p.stream }, timeout: this.#settings.timeoutMs });
        }),
      );
    } catch (error) {
      throw new QueueRefusedError(isStorageFull(error), error);
    }
  }
}
