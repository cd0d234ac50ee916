/**
 * Server-side HTML: a tagged template that escapes every interpolated value unless it is already
 * an Html fragment made by this template. Nothing user-supplied reaches a page unescaped, whatever
 * the view forgets (subjects, names, folder names, file names, search terms).
 */
const FRAGMENT = Symbol('html fragment');

export interface Html {
  readonly [FRAGMENT]: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

const SPECIAL = /[&<>"'`]/;

export function escapeHtml(text: string): string {
  // Most text (dates, ids, plain subjects) has nothing to escape: skip the replace for it.
  return SPECIAL.test(text) ? text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] as string) : text;
}

function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && FRAGMENT in value;
}

function piece(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (isHtml(value)) return value[FRAGMENT];
  if (Array.isArray(value)) return value.map(piece).join('');
  // Only text and numbers are interpolated; an object here is a view bug, not something to print.
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'boolean') {
    throw new TypeError(`cannot put a ${typeof value} into HTML`);
  }
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + (strings[i + 1] ?? '');
  return { [FRAGMENT]: out };
}

export function render(fragment: Html): string {
  return fragment[FRAGMENT];
}
