import createDOMPurify, { type Config } from 'dompurify';
import { JSDOM } from 'jsdom';
import { filterCss, isRemoteUrl } from './css-filter.ts';

/**
 * HTML mail, made safe to show: DOMPurify on jsdom (the combination DOMPurify recommends on the
 * server; jsdom runs no scripts and loads nothing here), with the HTML profile only (no SVG or
 * MathML, the source of most webmail XSS CVEs), no forms, no <base>, <meta>, <link> or frames, and
 * remote content (images, fonts, CSS urls) cut unless the reader allowed it. Inline `cid:` images
 * arrive here already as data: URLs (mailparser puts them in). The result goes into
 * a sandboxed iframe under a CSP that blocks the same things again (message-frame.ts).
 */
export interface SanitizeOptions {
  /** Load images, fonts and CSS urls from the sender's servers. */
  allowRemote: boolean;
}

export interface SanitizedHtml {
  html: string;
  /** Remote references cut because the reader has not allowed them. */
  blockedRemote: number;
}

const window = new JSDOM('').window;
const purify = createDOMPurify(window);

const CONFIG: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: [
    'form', 'input', 'button', 'select', 'textarea', 'option', 'optgroup', 'fieldset', 'label',
    'meta', 'link', 'base', 'object', 'embed', 'iframe', 'frame', 'frameset', 'audio', 'video', 'source', 'track', 'portal',
  ],
  FORBID_ATTR: ['ping', 'srcdoc', 'formaction', 'action', 'longdesc', 'lowsrc', 'dynsrc', 'srcset', 'imagesrcset', 'poster', 'id', 'name'],
  ALLOW_DATA_ATTR: false,
  // Keep <style> blocks of the mail's <head>: with FORCE_BODY everything is parsed into the body.
  FORCE_BODY: true,
};

/** Attributes that load something when the element renders. */
const LOADING_ATTRIBUTES = ['src', 'background'];

let current: { options: SanitizeOptions; blocked: number } | undefined;

/** Whether an element may load `url`: inline raster images always, remote ones with consent, nothing else. */
function mayLoad(url: string, allowRemote: boolean): boolean {
  return /^\s*data:image\/(png|jpe?g|gif|webp|bmp)[;,]/i.test(url) || (allowRemote && isRemoteUrl(url));
}

purify.addHook('uponSanitizeElement', (node, data) => {
  if (!current || data.tagName !== 'style') return;
  const filtered = filterCss(node.textContent ?? '', current.options.allowRemote);
  current.blocked += filtered.blocked;
  node.textContent = filtered.css;
});

purify.addHook('afterSanitizeAttributes', (element) => {
  if (!current) return;
  const { options } = current;
  for (const name of LOADING_ATTRIBUTES) {
    const value = element.getAttribute(name);
    if (value === null) continue;
    if (!mayLoad(value, options.allowRemote)) {
      if (isRemoteUrl(value)) current.blocked++;
      element.removeAttribute(name);
    }
  }
  const style = element.getAttribute('style');
  if (style !== null) {
    const filtered = filterCss(style, options.allowRemote);
    current.blocked += filtered.blocked;
    element.setAttribute('style', filtered.css);
  }
  if (element.tagName === 'A' || element.tagName === 'AREA') {
    const href = element.getAttribute('href');
    if (href !== null && !/^\s*(https?:|mailto:)/i.test(href)) element.removeAttribute('href');
    // Links open outside the sandboxed frame, without telling the target where they came from.
    element.setAttribute('target', '_blank');
    element.setAttribute('rel', 'noopener noreferrer');
  }
});

export function sanitizeHtml(dirty: string, options: SanitizeOptions): SanitizedHtml {
  current = { options, blocked: 0 };
  try {
    const clean = purify.sanitize(dirty, CONFIG);
    return { html: clean, blockedRemote: current.blocked };
  } finally {
    current = undefined;
  }
}
