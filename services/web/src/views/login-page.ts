import { html } from './html.ts';
import { plainPage } from './layout.ts';

export function loginPage(options: { address?: string; error?: string; next?: string }): string {
  return plainPage(
    'Sign in',
    html`<h1>Sign in to your mail</h1>
${options.error === undefined ? '' : html`<p class="error" role="alert" id="login-error">${options.error}</p>`}
<form method="post" action="/login" class="stack">
  <input type="hidden" name="next" value="${options.next ?? ''}">
  <label for="address">Mail address</label>
  <input id="address" name="address" type="email" autocomplete="username" required maxlength="320" value="${options.address ?? ''}" autofocus${options.error === undefined ? '' : html` aria-describedby="login-error"`}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
  <button type="submit" class="primary">Sign in</button>
</form>`,
  );
}
