import { FOLDERS, type Conversation, type MailItem } from '@mailcluster/store';
import type { FolderView } from '../mail/folders.ts';
import { type Html, html } from './html.ts';
import { type Chrome, type NoticeKey, appPage, csrfField } from './layout.ts';
import { actionBar, messageRow } from './message-list.ts';

function isOutgoing(folder: FolderView): boolean {
  return folder.id === FOLDERS.sent || folder.id === FOLDERS.drafts;
}

export function mailboxPage(chrome: Chrome, folder: FolderView, items: MailItem[], paging: { next?: string; older: boolean }, notice?: NoticeKey): string {
  const emptyable = folder.id === FOLDERS.trash || folder.id === FOLDERS.junk;
  const back = `/mail/${folder.token}`;
  const main = html`<div class="list-head">
  <h1>${folder.name}</h1>
  ${emptyable && items.length > 0
    ? html`<form method="post" action="/folders/${folder.token}/empty">${csrfField(chrome.viewer)}<button type="submit" class="danger">Empty ${folder.name}</button></form>`
    : ''}
</div>
<form method="post" action="/messages/actions" class="message-list">
  <input type="hidden" name="back" value="${back}">
  ${actionBar(chrome.viewer, chrome.folders, folder)}
  ${items.length === 0
    ? html`<p class="empty">No messages${paging.older ? ' older than these' : ''}.</p>`
    : html`<ul class="rows" aria-label="Messages">${items.map((item) => messageRow(item, { selectable: true, outgoing: isOutgoing(folder) }))}</ul>`}
</form>
<nav class="pager" aria-label="Pages">
  ${paging.older ? html`<a href="${back}">Newest</a>` : ''}
  ${paging.next === undefined ? '' : html`<a href="${back}?before=${paging.next}" rel="next">Older</a>`}
</nav>`;
  return appPage(folder.name, chrome, main, notice);
}

export function conversationsPage(chrome: Chrome, conversations: Conversation[], page: number, more: boolean): string {
  const rows: Html[] = conversations.map((c) =>
    messageRow(c.latest, {
      selectable: false,
      outgoing: c.latest.folder === FOLDERS.sent,
      href: `/messages/${c.latest.id}/thread`,
      extra: c.messages > 1 ? html` <span class="thread-count" aria-label="${c.messages} messages">(${c.messages})</span>` : undefined,
    }),
  );
  const main = html`<div class="list-head"><h1>Conversations</h1><p class="muted">Inbox, Sent and your folders together, newest activity first.</p></div>
${rows.length === 0 ? html`<p class="empty">No conversations.</p>` : html`<ul class="rows" aria-label="Conversations">${rows}</ul>`}
<nav class="pager" aria-label="Pages">
  ${page > 1 ? html`<a href="/conversations?page=${page - 1}" rel="prev">Newer</a>` : ''}
  ${more ? html`<a href="/conversations?page=${page + 1}" rel="next">Older</a>` : ''}
</nav>`;
  return appPage('Conversations', chrome, main);
}

export function searchPage(chrome: Chrome, query: string, items: MailItem[], tooShort: boolean): string {
  const folderName = new Map(chrome.folders.map((f) => [f.id, f.name]));
  const main = html`<div class="list-head"><h1>Search</h1>
<p class="muted" role="status">${tooShort
    ? 'Type at least one word of three or more letters.'
    : `${items.length === 0 ? 'No' : items.length} message${items.length === 1 ? '' : 's'} found for “${query}”.`}</p></div>
${items.length === 0
    ? ''
    : html`<ul class="rows" aria-label="Search results">${items.map((item) =>
        messageRow(item, {
          selectable: false,
          outgoing: item.folder === FOLDERS.sent || item.folder === FOLDERS.drafts,
          extra: html` <span class="folder-badge">${folderName.get(item.folder) ?? ''}</span>`,
        }),
      )}</ul>`}`;
  return appPage(`Search: ${query}`, { ...chrome, current: 'search', query }, main);
}
