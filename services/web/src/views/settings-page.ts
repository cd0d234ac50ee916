import { type AccountSettings, PAGE_SIZES } from '../account/settings-service.ts';
import type { FolderView } from '../mail/folders.ts';
import { html } from './html.ts';
import { type Chrome, type NoticeKey, appPage, csrfField } from './layout.ts';

export function settingsPage(chrome: Chrome, settings: AccountSettings, options: { notice?: NoticeKey; error?: string }): string {
  const main = html`<h1>Settings</h1>
${options.error === undefined ? '' : html`<p class="error" role="alert">${options.error}</p>`}
<section aria-labelledby="profile-h">
<h2 id="profile-h">Profile</h2>
<form method="post" action="/settings" class="stack">
  ${csrfField(chrome.viewer)}
  <label for="displayName">Display name</label>
  <input id="displayName" name="displayName" value="${settings.displayName}" maxlength="200">
  <label for="signature">Signature</label>
  <textarea id="signature" name="signature" rows="4" maxlength="2000">${settings.signature}</textarea>
  <label for="pageSize">Messages per page</label>
  <select id="pageSize" name="pageSize">${PAGE_SIZES.map((n) => html`<option value="${n}"${n === settings.pageSize ? ' selected' : ''}>${n}</option>`)}</select>
  <button type="submit" class="primary">Save</button>
</form>
</section>
<section aria-labelledby="password-h">
<h2 id="password-h">Password</h2>
<form method="post" action="/settings/password" class="stack">
  ${csrfField(chrome.viewer)}
  <label for="current">Current password</label>
  <input id="current" name="current" type="password" autocomplete="current-password" required maxlength="1024">
  <label for="next">New password</label>
  <input id="next" name="next" type="password" autocomplete="new-password" required minlength="10" maxlength="256" aria-describedby="next-hint">
  <span id="next-hint" class="hint">At least 10 characters. Changing it signs out every other session.</span>
  <label for="confirm">New password again</label>
  <input id="confirm" name="confirm" type="password" autocomplete="new-password" required maxlength="256">
  <button type="submit">Change password</button>
</form>
</section>`;
  return appPage('Settings', { ...chrome, current: 'settings' }, main, options.notice);
}

export function foldersPage(chrome: Chrome, folders: FolderView[], options: { notice?: NoticeKey; error?: string }): string {
  const own = folders.filter((f) => f.role === 'user');
  const main = html`<h1>Folders</h1>
${options.error === undefined ? '' : html`<p class="error" role="alert">${options.error}</p>`}
<form method="post" action="/folders" class="inline-form">
  ${csrfField(chrome.viewer)}
  <label for="new-folder">New folder</label>
  <input id="new-folder" name="name" required maxlength="100">
  <button type="submit" class="primary">Create</button>
</form>
${own.length === 0
    ? html`<p class="empty">You have no folders of your own yet.</p>`
    : html`<ul class="folder-admin">${own.map(
        (f) => html`<li>
  <form method="post" action="/folders/${f.token}/rename" class="inline-form">
    ${csrfField(chrome.viewer)}
    <label class="visually-hidden" for="rename-${f.token}">Rename ${f.name}</label>
    <input id="rename-${f.token}" name="name" value="${f.name}" required maxlength="100">
    <button type="submit">Rename</button>
  </form>
  <form method="post" action="/folders/${f.token}/delete" class="inline-form">
    ${csrfField(chrome.viewer)}
    <button type="submit" class="danger" aria-label="Delete ${f.name}">Delete</button>
  </form>
</li>`,
      )}</ul>`}
<p class="muted">Deleting a folder moves its messages to Trash.</p>`;
  return appPage('Folders', { ...chrome, current: 'folders' }, main, options.notice);
}
