/**
 * Remote references in the CSS of a mail (style attributes and <style> blocks). DOMPurify keeps
 * CSS as it is, and CSS can load images and fonts (`url()`, `image-set()`), other stylesheets
 * (`@import`) and, in old engines, code (`expression()`, `-moz-binding`). Without consent every
 * remote reference is cut; `@import` and code always are. The frame's CSP blocks whatever this
 * misses, so this is the first of two walls, and it is what counts the blocked items for the UI.
 */
export interface CssResult {
  css: string;
  blocked: number;
}

const URL_FUNCTION = /url\s*\(\s*("[^"]*"|'[^']*'|[^)]*?)\s*\)/gi;
const ALWAYS_CUT = /@import[^;]*;?|expression\s*\(|-moz-binding|behavior\s*:|javascript:/gi;
const IMAGE_SET = /(?:-webkit-)?image-set\s*\(/gi;

function unquote(value: string): string {
  return /^(["']).*\1$/s.test(value) ? value.slice(1, -1) : value;
}

export function isRemoteUrl(url: string): boolean {
  return /^\s*(https?:)?\/\//i.test(url);
}

export function filterCss(input: string, allowRemote: boolean): CssResult {
  // Comments can split a token (`ur/**/l(`) and escapes can spell one (`\75 rl(`): drop comments,
  // and refuse CSS with escapes outright, rather than decode it the way a browser would.
  const css = input.replace(/\/\*[\s\S]*?(\*\/|$)/g, '');
  if (css.includes('\\')) return { css: '', blocked: /url|image|@import/i.test(css) ? 1 : 0 };
  let blocked = 0;
  let out = css.replace(ALWAYS_CUT, () => {
    blocked++;
    return ' ';
  });
  out = out.replace(URL_FUNCTION, (whole, target: string) => {
    const url = unquote(target.trim());
    if (/^data:/i.test(url)) return whole;
    if (allowRemote && isRemoteUrl(url)) return whole;
    blocked++;
    return 'none';
  });
  if (!allowRemote) {
    out = out.replace(IMAGE_SET, () => {
      blocked++;
      return 'x-blocked(';
    });
  }
  return { css: out, blocked };
}
