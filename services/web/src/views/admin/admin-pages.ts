import type { AuditEntry, Domain, User } from '@mailcluster/store';
import { formatBytes } from '../format.ts';
import { html } from '../html.ts';
import { type AdminChrome, type AdminNoticeKey, adminCsrf, adminPage } from './admin-layout.ts';

function quotaText(user: User): string {
  return user.quotaBytes === 0 ? `${formatBytes(user.usedBytes)} (no limit)` : `${formatBytes(user.usedBytes)} of ${formatBytes(user.quotaBytes)}`;
}

function userLink(address: string) {
  return html`<a href="/admin/users/${encodeURIComponent(address)}">${address}</a>`;
}

export function adminUsersPage(chrome: AdminChrome, view: { search: string; users: User[]; next: string | null }, notice?: AdminNoticeKey): string {
  const main = html`<h1>Users</h1>
<form class="inline-form" role="search" method="get" action="/admin/users">
  <label for="user-search">Find users</label>
  <input id="user-search" name="q" type="search" value="${view.search}" placeholder="start of address or name" maxlength="320">
  <button type="submit">Search</button>
</form>
${view.users.length === 0
    ? html`<p class="empty">No users found.</p>`
    : html`<table class="admin-table">
<thead><tr><th scope="col">Address</th><th scope="col">Name</th><th scope="col">Storage</th><th scope="col">Status</th></tr></thead>
<tbody>${view.users.map((u) => html`<tr><td>${userLink(u.address)}</td><td>${u.displayName}</td><td>${quotaText(u)}</td><td>${u.disabled ? 'disabled' : 'active'}</td></tr>`)}</tbody>
</table>`}
${view.next === null ? '' : html`<p class="pager"><a href="/admin/users?q=${encodeURIComponent(view.search)}&amp;after=${encodeURIComponent(view.next)}">Next page</a></p>`}`;
  return adminPage('Users', chrome, main, notice);
}

export function adminUserPage(chrome: AdminChrome, user: User, audit: AuditEntry[], options: { notice?: AdminNoticeKey; error?: string }): string {
  const action = `/admin/users/${encodeURIComponent(user.address)}`;
  const main = html`<h1>${user.address}</h1>
${options.error === undefined ? '' : html`<p class="error" role="alert">${options.error}</p>`}
<dl class="facts">
  <dt>Name</dt><dd>${user.displayName || '—'}</dd>
  <dt>Storage</dt><dd id="storage">${quotaText(user)}</dd>
  <dt>Status</dt><dd>${user.disabled ? 'disabled' : 'active'}</dd>
  <dt>Forwards to</dt><dd>${user.forwardTo.length === 0 ? '—' : `${user.forwardTo.join(', ')}${user.keepForwardedCopy ? ' (keeps a copy)' : ''}`}</dd>
  <dt>Created</dt><dd>${user.createdAt.toISOString().slice(0, 16).replace('T', ' ')}</dd>
</dl>
<section aria-labelledby="quota-h"><h2 id="quota-h">Storage quota</h2>
<form method="post" action="${action}/quota" class="inline-form">${adminCsrf(chrome)}
  <label for="quota">Quota</label>
  <input id="quota" name="quota" value="${user.quotaBytes}" required maxlength="32" aria-describedby="quota-hint">
  <span id="quota-hint" class="hint">Bytes, or like 500M, 2G; 0 for no limit.</span>
  <button type="submit" class="primary">Set quota</button>
</form></section>
<section aria-labelledby="password-h"><h2 id="password-h">Password</h2>
<form method="post" action="${action}/password" class="inline-form">${adminCsrf(chrome)}
  <label for="new-password">New password</label>
  <input id="new-password" name="password" type="password" autocomplete="new-password" required minlength="10" maxlength="256">
  <button type="submit">Set password</button>
</form></section>
<section aria-labelledby="status-h"><h2 id="status-h">Access</h2>
<form method="post" action="${action}/${user.disabled ? 'enable' : 'disable'}" class="inline-form">${adminCsrf(chrome)}
  <button type="submit">${user.disabled ? 'Enable' : 'Disable'}</button>
</form>
<form method="post" action="${action}/delete" class="inline-form">${adminCsrf(chrome)}
  <button type="submit" class="danger">Delete user and all their mail</button>
</form></section>
<section aria-labelledby="audit-h"><h2 id="audit-h">Recent admin actions</h2>${auditTable(audit)}</section>`;
  return adminPage(user.address, chrome, main, options.notice);
}

function auditTable(entries: AuditEntry[]) {
  if (entries.length === 0) return html`<p class="empty">Nothing recorded.</p>`;
  return html`<table class="admin-table audit">
<thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">Detail</th></tr></thead>
<tbody>${entries.map(
    (e) => html`<tr><td>${e.at.toISOString().slice(0, 19).replace('T', ' ')}</td><td>${e.actor}</td><td>${e.action}</td><td>${e.target}</td><td>${e.outcome}</td><td><code>${e.detail ?? ''}</code></td></tr>`,
  )}</tbody></table>`;
}

export function adminAuditPage(chrome: AdminChrome, entries: AuditEntry[], filter: { target: string; next: number | null }): string {
  const main = html`<h1>Audit log</h1>
<form class="inline-form" method="get" action="/admin/audit">
  <label for="audit-target">Target</label>
  <input id="audit-target" name="target" value="${filter.target}" maxlength="320">
  <button type="submit">Filter</button>
</form>
${auditTable(entries)}
${filter.next === null ? '' : html`<p class="pager"><a href="/admin/audit?target=${encodeURIComponent(filter.target)}&amp;before=${filter.next}">Older</a></p>`}`;
  return adminPage('Audit log', chrome, main);
}

export function adminDomainsPage(chrome: AdminChrome, domains: Domain[], notice?: AdminNoticeKey): string {
  const main = html`<h1>Domains</h1>
<form method="post" action="/admin/domains" class="inline-form">${adminCsrf(chrome)}
  <label for="domain-name">New domain</label>
  <input id="domain-name" name="name" required maxlength="253">
  <label for="domain-quota">Default quota</label>
  <input id="domain-quota" name="defaultQuota" value="0" maxlength="32">
  <button type="submit" class="primary">Add</button>
</form>
<table class="admin-table">
<thead><tr><th scope="col">Domain</th><th scope="col">Default quota</th><th scope="col">Catch-all</th></tr></thead>
<tbody>${domains.map((d) => html`<tr><td><a href="/admin/users?q=&amp;domain=${encodeURIComponent(d.name)}">${d.name}</a></td><td>${d.defaultQuotaBytes === 0 ? 'no limit' : formatBytes(d.defaultQuotaBytes)}</td><td>${d.catchAll ?? '—'}</td></tr>`)}</tbody>
</table>`;
  return adminPage('Domains', chrome, main, notice);
}
