import type { DecodedMailCopy } from '@mailcluster/queue';
import { FOLDERS, type NewMessageRow } from '@mailcluster/store';

function display(addresses: readonly { address: string; name: string }[]): string {
  return addresses.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ');
}

/** The row a copy becomes in its mail table. */
export function copyToRow(copy: DecodedMailCopy, raw: Buffer): NewMessageRow {
  const { parsed } = copy;
  const from = parsed.from[0];
  return {
    emailTo: copy.recipient,
    emailFrom: copy.mailFrom,
    raw,
    folder: FOLDERS[copy.folder],
    seen: copy.seen,
    subject: parsed.subject,
    fromName: from?.name ?? '',
    fromAddress: from?.address ?? '',
    toDisplay: display([...parsed.to, ...parsed.cc]),
    sentAt: parsed.date === null ? null : new Date(parsed.date),
    receivedAt: new Date(copy.acceptedAt),
    size: copy.size,
    snippet: parsed.snippet,
    attachments: parsed.attachments,
    messageId: parsed.messageId,
    inReplyTo: parsed.inReplyTo,
    referenceIds: parsed.references,
    bodyText: parsed.text,
    dedupeKey: Buffer.from(copy.dedupeKey, 'hex'),
  };
}
