import { html } from '../html.ts';
import { plainPage } from '../layout.ts';

export function adminLoginPage(options: { name?: string; error?: string; next?: string }): string {
  return plainPage(
    'Admin sign-in',
    html`<h1>Sign in to administration</h1>
<p class="muted">Admin accounts are not mail accounts.</p>
${options.error === undefined ? '' : html`<p class="error" role="alert" id="login-error">${options.error}</p>`}
<form method="post" action="/admin/login" class="stack">
  <input type="hidden" name="next" value="${options.next ?? ''}">
  <label for="name">Admin name</label>
  <input id="name" name="name" autocomplete="username" required maxlength="64" value="${options.name ?? ''}" autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
  <button type="submit" class="primary">Sign in</button>
</form>`,
  );
}
