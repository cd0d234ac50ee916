import { html } from './html.ts';
import { plainPage } from './layout.ts';

export function errorPage(status: number, code: string, text: string): string {
  return plainPage(
    `Error ${status}`,
    html`<h1>${status === 404 ? 'Not found' : 'That did not work'}</h1>
<p class="error" role="alert">${text}</p>
<p class="muted">Code: <code>${code}</code></p>
<p><a href="/mail/inbox">Back to your inbox</a></p>`,
  );
}
