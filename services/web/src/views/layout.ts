import type { FolderView } from '../mail/folders.ts';
import type { Quota } from '../mail/mailbox-service.ts';
import { CSRF_FIELD } from '../plugins/csrf.ts';
import { STATIC_ASSETS } from '../static-assets.ts';
import { formatBytes } from './format.ts';
import { type Html, html, render } from './html.ts';

export interface Viewer {
  address: string;
  displayName: string;
  csrfToken: string;
  /** Messages per page of a folder, as the user chose. */
  pageSize: number;
}

/** What every signed-in page shows around its content. */
export interface Chrome {
  viewer: Viewer;
  folders: FolderView[];
  quota: Quota;
  /** The folder token or section that is open, to mark it in the navigation. */
  current: string;
  query?: string;
}

/** Notices shown once after an action; only these fixed texts, never text from the request. */
export const NOTICES = {
  sent: 'Message sent.',
  saved: 'Draft saved.',
  moved: 'Moved.',
  deleted: 'Deleted.',
  updated: 'Done.',
  emptied: 'Folder emptied.',
  settings: 'Settings saved.',
  password: 'Password changed. Every other session has been signed out.',
  folder: 'Folders updated.',
  remote: 'Remote content from this sender will be shown from now on.',
} as const;
export type NoticeKey = keyof typeof NOTICES;

export function csrfField(viewer: Viewer): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${viewer.csrfToken}">`;
}

export function head(title: string): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · mailcluster</title>
<link rel="stylesheet" href="${STATIC_ASSETS.css.url}">
<script src="${STATIC_ASSETS.js.url}" defer></script>
</head>`;
}

function folderNav(chrome: Chrome): Html {
  const { quota } = chrome;
  const percent = quota.limitBytes > 0 ? Math.min(100, Math.round((quota.usedBytes / quota.limitBytes) * 100)) : 0;
  const items = chrome.folders.map((folder) => {
    const current = chrome.current === folder.token;
    return html`<li><a href="/mail/${folder.token}" class="folder folder-${folder.role}"${current ? html` aria-current="page"` : ''}>
      <span class="name">${folder.name}</span>${folder.unread > 0 ? html`<span class="count" aria-label="${folder.unread} unread">${folder.unread}</span>` : ''}</a></li>`;
  });
  return html`<nav class="sidebar" aria-label="Folders">
  <a class="button primary compose" href="/compose" data-key="c">Compose</a>
  <ul class="folders">
    <li><a href="/conversations" class="folder"${chrome.current === 'conversations' ? html` aria-current="page"` : ''}><span class="name">Conversations</span></a></li>
    ${items}
  </ul>
  <a class="manage" href="/folders">Manage folders</a>
  <div class="quota" aria-label="Storage used">
    ${quota.limitBytes > 0
      ? html`<meter min="0" max="100" value="${percent}" aria-label="Storage used">${percent}%</meter>
    <span>${formatBytes(quota.usedBytes)} of ${formatBytes(quota.limitBytes)} used</span>`
      : html`<span>${formatBytes(quota.usedBytes)} used</span>`}
  </div>
</nav>`;
}

export function appPage(title: string, chrome: Chrome, main: Html, notice?: NoticeKey): string {
  const { viewer } = chrome;
  return render(html`${head(title)}
<body data-csrf="${viewer.csrfToken}">
<a class="skip" href="#main">Skip to content</a>
<header class="topbar">
  <a class="brand" href="/mail/inbox">mailcluster</a>
  <form class="search" role="search" method="get" action="/search">
    <label class="visually-hidden" for="search-q">Search mail</label>
    <input id="search-q" type="search" name="q" placeholder="Search mail (/)" value="${chrome.query ?? ''}" data-key-focus="/" maxlength="200">
  </form>
  <div class="account">
    <a href="/settings" title="${viewer.address}">${viewer.displayName || viewer.address}</a>
    <form method="post" action="/logout">${csrfField(viewer)}<button type="submit" class="link">Sign out</button></form>
  </div>
</header>
<div class="shell">
${folderNav(chrome)}
<main id="main" tabindex="-1">
${notice === undefined ? '' : html`<p class="notice" role="status">${NOTICES[notice]}</p>`}
${main}
</main>
</div>
</body>
</html>`);
}

/** Pages without a signed-in user: sign-in and errors. */
export function plainPage(title: string, main: Html): string {
  return render(html`${head(title)}
<body class="plain">
<main id="main" class="card">
${main}
</main>
</body>
</html>`);
}
