import { escapeHtml } from './html.ts';

/**
 * The document inside the message iframe and its policy. The frame is sandboxed twice (the iframe
 * attribute and the CSP `sandbox` directive, which also holds when the URL is opened on its own):
 * no scripts, no same-origin access, no forms; only popups, so links open in a new tab.
 * Without consent nothing may load but inline (data:) images; with it, images and fonts over
 * http(s) too. Styles only inline: <link> and @import never survive the sanitiser anyway.
 */
export function frameCsp(allowRemote: boolean): string {
  const remote = allowRemote ? ' https: http:' : '';
  return [
    "default-src 'none'",
    `img-src data:${remote}`,
    `font-src data:${remote}`,
    "style-src 'unsafe-inline'",
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'self'",
    'sandbox allow-popups allow-popups-to-escape-sandbox',
  ].join('; ');
}

/** Wraps sanitised HTML in a fixed shell; the sanitised part is inserted as it is, never re-parsed or edited. */
export function frameDocument(sanitized: string, title: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title>
<style>body{margin:0;padding:12px;font:15px/1.45 system-ui,sans-serif;color:#1f2328;word-wrap:break-word}img{max-width:100%;height:auto}</style>
</head><body>${sanitized}</body></html>`;
}
