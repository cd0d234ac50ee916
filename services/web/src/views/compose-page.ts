import type { ComposeForm } from '../mail/compose-service.ts';
import { formatBytes } from './format.ts';
import { html } from './html.ts';
import { type Chrome, type NoticeKey, appPage, csrfField } from './layout.ts';

export function composePage(chrome: Chrome, form: ComposeForm, options: { error?: string; notice?: NoticeKey | undefined; limits: { maxAttachmentBytes: number; maxAttachments: number } }): string {
  const title = form.mode === 'forward' ? 'Forward' : form.mode === null ? (form.draftId === null ? 'New message' : 'Draft') : 'Reply';
  const main = html`<h1>${title}</h1>
${options.error === undefined ? '' : html`<p class="error" role="alert" id="compose-error">${options.error}</p>`}
<form method="post" action="/compose" enctype="multipart/form-data" class="compose stack">
  ${csrfField(chrome.viewer)}
  ${form.draftId === null ? '' : html`<input type="hidden" name="draftId" value="${form.draftId}">`}
  ${form.sourceId === null ? '' : html`<input type="hidden" name="sourceId" value="${form.sourceId}">`}
  ${form.mode === null ? '' : html`<input type="hidden" name="mode" value="${form.mode}">`}
  <label for="to">To</label>
  <input id="to" name="to" value="${form.to}" autocomplete="off" data-contacts maxlength="10000" aria-describedby="to-hint">
  <span id="to-hint" class="hint">Separate addresses with commas.</span>
  <label for="cc">Cc</label>
  <input id="cc" name="cc" value="${form.cc}" autocomplete="off" data-contacts maxlength="10000">
  <label for="bcc">Bcc</label>
  <input id="bcc" name="bcc" value="${form.bcc}" autocomplete="off" data-contacts maxlength="10000">
  <label for="subject">Subject</label>
  <input id="subject" name="subject" value="${form.subject}" maxlength="900">
  <label for="body">Message</label>
  <textarea id="body" name="body" rows="16">${form.body}</textarea>
  ${form.kept.length === 0
    ? ''
    : html`<fieldset class="kept"><legend>Attachments</legend>${form.kept.map(
        (k) => html`<label><input type="checkbox" name="keep" value="${k.ref}" checked> ${k.filename} <span class="muted">${formatBytes(k.size)}</span></label>`,
      )}</fieldset>`}
  <label for="files">Attach files</label>
  <input id="files" name="files" type="file" multiple aria-describedby="files-hint">
  <span id="files-hint" class="hint">Up to ${options.limits.maxAttachments} files, ${formatBytes(options.limits.maxAttachmentBytes)} each.</span>
  <div class="actions">
    <button type="submit" name="action" value="send" class="primary">Send</button>
    <button type="submit" name="action" value="save">Save draft</button>
    <a href="/mail/inbox" class="button">Cancel</a>
  </div>
</form>`;
  return appPage(title, { ...chrome, current: 'compose' }, main, options.notice);
}
