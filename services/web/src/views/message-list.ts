import { FOLDERS, type MailItem } from '@mailcluster/store';
import type { FolderView } from '../mail/folders.ts';
import { correspondent, subjectText, timeTag } from './format.ts';
import { type Html, html } from './html.ts';
import { type Viewer, csrfField } from './layout.ts';

/** One row of a message list; `extra` is shown after the subject (a thread count, a folder name). */
export function messageRow(item: MailItem, options: { selectable: boolean; outgoing: boolean; extra?: Html; href?: string }): Html {
  const href = options.href ?? (item.folder === FOLDERS.drafts ? `/compose?draft=${item.id}` : `/messages/${item.id}`);
  const who = correspondent(item, options.outgoing);
  return html`<li class="row${item.seen ? '' : ' unread'}${item.flagged ? ' flagged' : ''}" data-row data-href="${href}">
  ${options.selectable ? html`<input type="checkbox" name="ids" value="${item.id}" aria-label="Select message from ${who}: ${subjectText(item.subject)}">` : ''}
  <a href="${href}" class="row-link">
    <span class="who">${who}</span>
    <span class="what"><span class="subject">${subjectText(item.subject)}</span>${options.extra ?? ''} <span class="snippet">${item.snippet}</span></span>
    <span class="when">${item.hasAttachments ? html`<span class="clip" title="Has attachments" role="img" aria-label="Has attachments"></span>` : ''}${item.flagged ? html`<span class="flag" aria-label="Flagged">★</span>` : ''}${timeTag(item.receivedAt)}</span>
  </a>
</li>`;
}

/** The action bar of a list: mark, flag, move, delete for the selected messages. */
export function actionBar(viewer: Viewer, folders: readonly FolderView[], current: FolderView | undefined): Html {
  const targets = folders.filter((f) => f.id !== FOLDERS.drafts && f.id !== current?.id);
  return html`<div class="toolbar" role="toolbar" aria-label="Actions on selected messages">
  ${csrfField(viewer)}
  <label class="select-all"><input type="checkbox" data-select-all aria-label="Select all"> All</label>
  <button name="action" value="read" type="submit">Mark read</button>
  <button name="action" value="unread" type="submit">Mark unread</button>
  <button name="action" value="flag" type="submit">Flag</button>
  <button name="action" value="unflag" type="submit">Unflag</button>
  <label class="visually-hidden" for="move-target">Move to folder</label>
  <select id="move-target" name="folder">${targets.map((f) => html`<option value="${f.token}">${f.name}</option>`)}</select>
  <button name="action" value="move" type="submit">Move</button>
  <button name="action" value="delete" type="submit" class="danger" data-key="#">${current?.id === FOLDERS.trash ? 'Delete forever' : 'Delete'}</button>
</div>`;
}
