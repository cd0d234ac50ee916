import { FOLDERS, type MailItem } from '@mailcluster/store';
import type { FolderView } from '../mail/folders.ts';
import type { Mailbox, ReadableMessage } from '../mail/message-reader.ts';
import { formatBytes, subjectText, timeTag } from './format.ts';
import { type Html, html } from './html.ts';
import { type Chrome, type NoticeKey, appPage, csrfField } from './layout.ts';

/** A mailbox with its address always in view: the display name alone can say anything. */
function person(mailbox: Mailbox): Html {
  return mailbox.name
    ? html`<span class="person"><span class="name">${mailbox.name}</span> <span class="address">&lt;${mailbox.address}&gt;</span></span>`
    : html`<span class="person"><span class="address">${mailbox.address}</span></span>`;
}

function people(list: readonly Mailbox[]): Html {
  return html`${list.map((m, i) => html`${i > 0 ? ', ' : ''}${person(m)}`)}`;
}

export interface MessageView {
  item: MailItem;
  message: ReadableMessage;
  folder: FolderView | undefined;
  /** Remote references the sanitiser cut; 0 when remote content is shown or there is none. */
  blockedRemote: number;
  /** Remote content is shown (once, or always for this sender). */
  remoteShown: boolean;
  plainText: boolean;
}

function remoteBanner(chrome: Chrome, view: MessageView): Html {
  if (view.blockedRemote === 0) return html``;
  const id = view.item.id;
  return html`<div class="banner" role="region" aria-label="Remote content">
  <p>Remote content (${view.blockedRemote} item${view.blockedRemote === 1 ? '' : 's'}) was blocked to protect your privacy.</p>
  <a class="button" href="/messages/${id}?remote=1">Show once</a>
  <form method="post" action="/messages/${id}/remote-content">${csrfField(chrome.viewer)}<button type="submit">Always show from ${view.item.fromAddress || 'this sender'}</button></form>
</div>`;
}

function body(view: MessageView): Html {
  const { item, message } = view;
  if (message.html !== null && !view.plainText) {
    return html`<iframe class="body-frame" title="Message body" src="/api/messages/${item.id}/html${view.remoteShown ? '?remote=1' : ''}"
    sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer"></iframe>
<p class="muted small"><a href="/messages/${item.id}?view=text">Show as plain text</a></p>`;
  }
  return html`<pre class="body-text">${message.text}</pre>${message.html === null ? '' : html`<p class="muted small"><a href="/messages/${item.id}">Show formatted</a></p>`}`;
}

function attachments(view: MessageView): Html {
  const listed = view.message.attachments.filter((part) => !part.inline);
  if (listed.length === 0) return html``;
  return html`<section class="attachments" aria-label="Attachments">
  <h2>Attachments</h2>
  <ul>${listed.map(
    (part) => html`<li><a href="/api/messages/${view.item.id}/attachments/${part.index}" download="${part.filename}">${part.filename}</a> <span class="muted">${part.contentType}, ${formatBytes(part.size)}</span></li>`,
  )}</ul>
</section>`;
}

export function messagePage(chrome: Chrome, view: MessageView, notice?: NoticeKey): string {
  const { item, message } = view;
  const back = `/mail/${view.folder?.token ?? 'inbox'}`;
  const senderDiffers = item.emailFrom !== '' && message.from.every((m) => m.address.toLowerCase() !== item.emailFrom.toLowerCase());
  const actions = html`<form method="post" action="/messages/actions" class="inline">
    ${csrfField(chrome.viewer)}<input type="hidden" name="ids" value="${item.id}"><input type="hidden" name="back" value="${back}">
    <button name="action" value="unread" type="submit">Mark unread</button>
    <button name="action" value="${item.flagged ? 'unflag' : 'flag'}" type="submit">${item.flagged ? 'Unflag' : 'Flag'}</button>
    <label class="visually-hidden" for="move-one">Move to folder</label>
    <select id="move-one" name="folder">${chrome.folders.filter((f) => f.id !== FOLDERS.drafts && f.id !== item.folder).map((f) => html`<option value="${f.token}">${f.name}</option>`)}</select>
    <button name="action" value="move" type="submit">Move</button>
    <button name="action" value="delete" type="submit" class="danger" data-key="#">Delete</button>
  </form>`;
  const main = html`<article class="message" aria-labelledby="subject">
<div class="toolbar" role="toolbar" aria-label="Message actions">
  <a class="button" href="/compose?reply=${item.id}" data-key="r">Reply</a>
  <a class="button" href="/compose?replyAll=${item.id}" data-key="a">Reply all</a>
  <a class="button" href="/compose?forward=${item.id}" data-key="f">Forward</a>
  <a class="button" href="/messages/${item.id}/thread">Conversation</a>
  ${actions}
</div>
<h1 id="subject">${subjectText(message.subject)}</h1>
<dl class="headers">
  <dt>From</dt><dd>${message.from.length > 0 ? people(message.from) : html`<span class="address">${item.emailFrom || '(none)'}</span>`}${senderDiffers ? html` <span class="muted">sent by <span class="address">${item.emailFrom}</span></span>` : ''}</dd>
  ${message.replyTo.length > 0 ? html`<dt>Reply to</dt><dd>${people(message.replyTo)}</dd>` : ''}
  <dt>To</dt><dd>${people(message.to)}</dd>
  ${message.cc.length > 0 ? html`<dt>Cc</dt><dd>${people(message.cc)}</dd>` : ''}
  <dt>Date</dt><dd>${timeTag(message.date ?? item.receivedAt, true)}</dd>
  <dt>Folder</dt><dd>${view.folder?.name ?? ''} · <a href="/api/messages/${item.id}/raw">View source</a></dd>
</dl>
${remoteBanner(chrome, view)}
${body(view)}
${attachments(view)}
</article>`;
  return appPage(subjectText(message.subject), chrome, main, notice);
}

export function threadPage(chrome: Chrome, items: MailItem[]): string {
  const folderName = new Map(chrome.folders.map((f) => [f.id, f.name]));
  const subject = subjectText(items[0]?.subject ?? '');
  const main = html`<h1>${subject}</h1>
<p class="muted">${items.length} message${items.length === 1 ? '' : 's'} in this conversation, across folders.</p>
<ol class="thread" aria-label="Messages in this conversation">
${items.map(
  (item) => html`<li class="thread-item${item.seen ? '' : ' unread'}">
  <a href="/messages/${item.id}">
    <span class="who">${item.fromName || item.fromAddress}</span> <span class="address">&lt;${item.fromAddress}&gt;</span>
    <span class="folder-badge">${folderName.get(item.folder) ?? ''}</span> ${timeTag(item.receivedAt)}
    <span class="subject">${subjectText(item.subject)}</span>
    <span class="snippet">${item.snippet}</span>
  </a>
</li>`,
)}
</ol>`;
  return appPage(`Conversation: ${subject}`, { ...chrome, current: 'conversations' }, main);
}
