import { randomBytes } from 'node:crypto';
import { type Logger, addressPrefix } from '@mailcluster/common';
import {
  FOLDERS,
  type MailStore,
  type NewMessageRow,
  findUser,
  inTransaction,
  purgeMessages,
  readUserMail,
  recordContacts,
  setFlag,
  storeMessages,
  suggestContacts,
  type Contact,
  userMailTable,
} from '@mailcluster/store';
import MailComposer from 'nodemailer/lib/mail-composer';
import { WebError } from '../errors.ts';
import { formatRecipients, headerText, parseRecipients } from './addresses.ts';
import type { MailboxService } from './mailbox-service.ts';
import type { Mailer } from './mailer.ts';
import { type OutgoingAttachment, type OutgoingMessage, cleanMessageIds, mailOptions, newMessageId } from './message-builder.ts';
import { type Mailbox, readMessage } from './message-reader.ts';
import { forwardSubject, quoteForward, quoteReply, replyRecipients, replySubject } from './quote.ts';

export type ComposeMode = 'reply' | 'replyAll' | 'forward';

/** An attachment carried over from a stored message (forwarded, or already in the draft): `<messageId>:<index>`. */
export interface KeptAttachment {
  ref: string;
  filename: string;
  size: number;
}

/** The fields of the compose form, shown and sent back alike. */
interface ComposeFields {
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  body: string;
  draftId: number | null;
  sourceId: number | null;
  mode: ComposeMode | null;
}

/** What the compose form shows: the fields and the attachments carried over. */
export interface ComposeForm extends ComposeFields {
  kept: KeptAttachment[];
}

/** What the compose form sends back: the fields, the carried-over attachments still ticked, new files. */
export interface ComposeSubmission extends ComposeFields {
  keep: string[];
  uploads: OutgoingAttachment[];
}

export interface ComposeLimits {
  maxAttachmentsTotalBytes: number;
  maxRecipients: number;
}

const KEEP_REF = /^([1-9]\d{0,15}):(\d{1,3})$/;

/**
 * Writing mail: forms prefilled for a new message, a reply, a forward or a saved draft; sending
 * through submission (the smtp tier files the Sent copy and delivers to hosted inboxes); drafts
 * stored as rows of the user's Drafts folder.
 */
export class ComposeService {
  readonly #store: MailStore;
  readonly #mailbox: MailboxService;
  readonly #mailer: Mailer;
  readonly #limits: ComposeLimits;
  readonly #log: Logger;

  constructor(deps: { store: MailStore; mailbox: MailboxService; mailer: Mailer; limits: ComposeLimits; log: Logger }) {
    this.#store = deps.store;
    this.#mailbox = deps.mailbox;
    this.#mailer = deps.mailer;
    this.#limits = deps.limits;
    this.#log = deps.log;
  }

  /** The form to start from: a draft as saved, or a new message (a reply, a forward) with the user's `signature`. */
  async prefill(address: string, request: { mode: ComposeMode | null; sourceId: number | null; draftId: number | null }, signature: string): Promise<ComposeForm> {
    if (request.draftId !== null) return this.#draftForm(address, request.draftId);
    const signed = signature === '' ? '' : `\n\n-- \n${signature}`;
    const blank: ComposeForm = { to: '', cc: '', bcc: '', subject: '', body: signed, draftId: null, sourceId: null, mode: null, kept: [] };
    if (request.sourceId === null || request.mode === null) return blank;
    const source = await this.#mailbox.message(address, request.sourceId);
    const message = await readMessage(source.raw);
    const base = { ...blank, sourceId: source.id, mode: request.mode };
    if (request.mode === 'forward') {
      const kept = message.attachments
        .filter((part) => !part.inline)
        .map((part) => ({ ref: `${source.id}:${part.index}`, filename: part.filename, size: part.size }));
      return { ...base, subject: forwardSubject(message.subject), body: `${signed}${quoteForward(message)}`, kept };
    }
    const { to, cc } = replyRecipients(message, address, request.mode === 'replyAll');
    return { ...base, to: formatRecipients(to), cc: formatRecipients(cc), subject: replySubject(message.subject), body: `${signed}${quoteReply(message)}` };
  }

  async #draftForm(address: string, draftId: number): Promise<ComposeForm> {
    const draft = await this.#mailbox.message(address, draftId);
    if (draft.folder !== FOLDERS.drafts) throw new WebError('WEB_ERR_NOT_FOUND');
    const message = await readMessage(draft.raw);
    return {
      to: formatRecipients(message.to),
      cc: formatRecipients(message.cc),
      bcc: formatRecipients(message.bcc),
      subject: message.subject,
      body: message.text.replace(/\r\n/g, '\n').replace(/\n$/, ''),
      draftId: draft.id,
      sourceId: null,
      mode: null,
      kept: message.attachments.map((part) => ({ ref: `${draft.id}:${part.index}`, filename: part.filename, size: part.size })),
    };
  }

  /** Address-book suggestions: people the user wrote to, by address or name prefix, most used first. */
  contacts(address: string, prefix: string): Promise<Contact[]> {
    return suggestContacts(this.#store.homePool(address), address, prefix, 8);
  }

  /** Sends the message; afterwards the draft it came from is gone and its recipients are contacts. */
  async send(address: string, submission: ComposeSubmission): Promise<void> {
    const message = await this.#outgoing(address, submission);
    if (message.to.length + message.cc.length + message.bcc.length === 0) throw new WebError('WEB_ERR_NO_RECIPIENTS');
    await this.#mailer.send(mailOptions(message));
    const pool = this.#store.homePool(address);
    await recordContacts(pool, address, [...message.to, ...message.cc, ...message.bcc]);
    if (submission.sourceId !== null && (submission.mode === 'reply' || submission.mode === 'replyAll')) {
      await setFlag(pool, address, [submission.sourceId], 'Answered', true);
    }
    if (submission.draftId !== null) await purgeMessages(pool, address, [submission.draftId], FOLDERS.drafts);
  }

  /** Stores the message in Drafts (replacing the draft it was opened from); returns the new draft's id. */
  async saveDraft(address: string, submission: ComposeSubmission): Promise<number> {
    const message = await this.#outgoing(address, submission);
    const compiled = new MailComposer(mailOptions(message)).compile();
    compiled.keepBcc = true; // a draft must remember its Bcc; sending never writes the header
    const raw = await compiled.build();
    const prefix = addressPrefix(address);
    const db = this.#store.dbOfPrefix(prefix);
    await this.#store.ensureMailTable(db, prefix);
    const dedupeKey = randomBytes(32);
    const row: NewMessageRow = {
      emailTo: address,
      emailFrom: address,
      raw,
      folder: FOLDERS.drafts,
      seen: true,
      subject: message.subject,
      fromName: message.from.name,
      fromAddress: address,
      toDisplay: formatRecipients([...message.to, ...message.cc]).slice(0, 1000),
      sentAt: message.date,
      receivedAt: message.date,
      size: raw.length,
      snippet: message.text.replace(/\s+/g, ' ').trim().slice(0, 200),
      attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.content.length })),
      messageId: message.messageId,
      inReplyTo: message.inReplyTo,
      referenceIds: message.references,
      bodyText: message.text,
      dedupeKey,
    };
    const pool = this.#store.pool(db);
    const conn = await pool.getConnection();
    try {
      await inTransaction(conn, () => storeMessages(conn, new Map([[prefix, [row]]])));
    } finally {
      conn.release();
    }
    const [stored] = await readUserMail(pool, address, `SELECT Id FROM \`${userMailTable(address)}\` WHERE DedupeKey = ? AND EmailTo = ?`, [dedupeKey, address]);
    if (submission.draftId !== null) await purgeMessages(pool, address, [submission.draftId], FOLDERS.drafts);
    this.#log.debug({ draft: stored?.Id }, 'draft saved');
    return Number(stored?.Id);
  }

  async #outgoing(address: string, submission: ComposeSubmission): Promise<OutgoingMessage> {
    const to = parseRecipients(submission.to);
    const cc = parseRecipients(submission.cc);
    const bcc = parseRecipients(submission.bcc);
    if (to.length + cc.length + bcc.length > this.#limits.maxRecipients) throw new WebError('WEB_ERR_TOO_MANY_RECIPIENTS');
    const attachments = [...(await this.#keptAttachments(address, submission.keep)), ...submission.uploads];
    const total = attachments.reduce((sum, a) => sum + a.content.length, 0);
    if (total > this.#limits.maxAttachmentsTotalBytes) throw new WebError('WEB_ERR_UPLOAD_TOO_LARGE');
    const user = await findUser(this.#store.homePool(address), address);
    const from: Mailbox = { name: user?.displayName ?? '', address };
    const thread = await this.#threadHeaders(address, submission);
    return {
      from,
      to,
      cc,
      bcc,
      subject: headerText(submission.subject),
      text: submission.body.replace(/\r?\n/g, '\r\n'),
      ...thread,
      attachments,
      messageId: newMessageId(address),
      date: new Date(),
    };
  }

  /** In-Reply-To and References: from the message replied to, or from the draft that remembers them. */
  async #threadHeaders(address: string, submission: ComposeSubmission): Promise<{ inReplyTo: string | null; references: string[] }> {
    if (submission.sourceId !== null && (submission.mode === 'reply' || submission.mode === 'replyAll')) {
      const source = await this.#mailbox.message(address, submission.sourceId);
      return { inReplyTo: source.messageId, references: cleanMessageIds([...source.referenceIds, source.messageId]) };
    }
    if (submission.draftId !== null) {
      const draft = await this.#mailbox.message(address, submission.draftId);
      return { inReplyTo: draft.inReplyTo, references: cleanMessageIds(draft.referenceIds) };
    }
    return { inReplyTo: null, references: [] };
  }

  async #keptAttachments(address: string, refs: readonly string[]): Promise<OutgoingAttachment[]> {
    const byMessage = new Map<number, number[]>();
    for (const ref of refs) {
      const match = KEEP_REF.exec(ref);
      if (!match) throw new WebError('WEB_ERR_BAD_REQUEST', 'Unknown attachment reference.');
      const id = Number(match[1]);
      byMessage.set(id, [...(byMessage.get(id) ?? []), Number(match[2])]);
    }
    const kept: OutgoingAttachment[] = [];
    for (const [id, indexes] of byMessage) {
      const message = await readMessage((await this.#mailbox.message(address, id)).raw);
      for (const index of indexes) {
        const part = message.attachments[index];
        if (!part) throw new WebError('WEB_ERR_NOT_FOUND');
        kept.push({ filename: part.filename, contentType: part.contentType, content: part.content });
      }
    }
    return kept;
  }
}
