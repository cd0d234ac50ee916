import type { MailItem } from '@mailcluster/store';
import { type Html, html } from './html.ts';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/** A date in UTC with its machine-readable form; app.js shows it in the reader's time zone. */
export function timeTag(date: Date | null, long = false): Html {
  if (date === null) return html``;
  const iso = date.toISOString();
  const text = long ? date.toUTCString() : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  return html`<time datetime="${iso}" data-format="${long ? 'long' : 'short'}">${text}</time>`;
}

/** Who a list row names: the recipients in Sent and Drafts, the sender elsewhere. */
export function correspondent(item: MailItem, outgoing: boolean): string {
  if (outgoing) return item.toDisplay === '' ? '(no recipients)' : `To: ${item.toDisplay}`;
  return item.fromName || item.fromAddress || item.emailFrom || '(unknown sender)';
}

export function subjectText(subject: string): string {
  return subject.trim() === '' ? '(no subject)' : subject;
}
