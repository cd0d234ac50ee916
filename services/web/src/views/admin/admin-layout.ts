import { CSRF_FIELD } from '../../plugins/csrf.ts';
import { type Html, html, render } from '../html.ts';
import { head } from '../layout.ts';

/** What every admin page shows around its content: who is signed in, the sections. */
export interface AdminChrome {
  actor: string;
  role: string;
  csrfToken: string;
  current: 'users' | 'domains' | 'audit';
}

/** Notices after an admin action: fixed texts only, never text from the request. */
export const ADMIN_NOTICES = {
  quota: 'Quota changed.',
  disabled: 'User disabled and signed out everywhere.',
  enabled: 'User enabled.',
  password: 'Password set; the user was signed out everywhere.',
  deleted: 'User deleted with all their mail.',
  created: 'User created.',
  domain: 'Domain added.',
} as const;
export type AdminNoticeKey = keyof typeof ADMIN_NOTICES;

export function adminCsrf(chrome: AdminChrome): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${chrome.csrfToken}">`;
}

export function adminPage(title: string, chrome: AdminChrome, main: Html, notice?: AdminNoticeKey): string {
  const link = (href: string, key: AdminChrome['current'], label: string) =>
    html`<a href="${href}"${chrome.current === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return render(html`${head(`${title} · admin`)}
<body data-csrf="${chrome.csrfToken}" class="admin">
<a class="skip" href="#main">Skip to content</a>
<header class="topbar">
  <a class="brand" href="/admin/users">mailcluster admin</a>
  <nav class="admin-nav" aria-label="Sections">${link('/admin/users', 'users', 'Users')} ${link('/admin/domains', 'domains', 'Domains')} ${link('/admin/audit', 'audit', 'Audit log')}</nav>
  <div class="account">
    <span title="role: ${chrome.role}">${chrome.actor}</span>
    <form method="post" action="/admin/logout">${adminCsrf(chrome)}<button type="submit" class="link">Sign out</button></form>
  </div>
</header>
<main id="main" tabindex="-1" class="admin-main">
${notice === undefined ? '' : html`<p class="notice" role="status">${ADMIN_NOTICES[notice]}</p>`}
${main}
</main>
</body>
</html>`);
}
