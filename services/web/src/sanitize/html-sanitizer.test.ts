import { describe, expect, it } from 'vitest';
import { filterCss } from './css-filter.ts';
import { sanitizeHtml } from './html-sanitizer.ts';

const blocked = (html: string) => sanitizeHtml(html, { allowRemote: false });

describe('sanitizeHtml', () => {
  it.each([
    ['script', '<script>alert(1)</script><p>x</p>'],
    ['event handler', '<img src=x onerror=alert(1)><p onclick="x()">x</p>'],
    ['javascript: URL', '<a href="javascript:alert(1)">x</a><a href=" JaVaScRiPt:alert(1)">y</a>'],
    ['SVG', '<svg><script>alert(1)</script><use href="data:image/svg+xml;base64,AAA"/></svg>'],
    ['MathML mXSS', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>'],
    ['base', '<base href="http://evil.test/"><a href="x">x</a>'],
    ['srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
    ['meta refresh', '<meta http-equiv="refresh" content="0;url=http://evil.test">'],
    ['form', '<form action="http://evil.test"><input name=a><button>go</button></form>'],
    ['object/embed', '<object data="x"></object><embed src="x">'],
  ])('removes %s', (_name, input) => {
    const { html } = blocked(input);
    expect(html).not.toMatch(/<script|<svg|<math|<iframe|<base|<meta|<form|<input|<object|<embed|\son\w+=|javascript:/i);
  });

  it('cuts remote images, backgrounds and CSS urls and counts them; keeps them with consent', () => {
    const input = '<img src="https://t.example/p.png"><table background="http://t.example/bg.png"><tr><td style="background:url(https://t.example/c.png)">x</td></tr></table>';
    const without = blocked(input);
    expect(without.blockedRemote).toBe(3);
    expect(without.html).not.toContain('t.example');
    const withConsent = sanitizeHtml(input, { allowRemote: true });
    expect(withConsent.blockedRemote).toBe(0);
    expect(withConsent.html).toContain('https://t.example/p.png');
  });

  it('keeps inline images and safe links, which open outside the frame', () => {
    const { html } = blocked('<img src="data:image/png;base64,iVBORw0KGgo="><a href="https://example.org/">x</a>');
    expect(html).toContain('src="data:image/png;base64,iVBORw0KGgo="');
    expect(html).toContain('target="_blank"');
    expect(html).toContain('rel="noopener noreferrer"');
  });

  it('keeps the <style> of the mail head, without remote urls or @import', () => {
    const { html, blockedRemote } = blocked('<html><head><style>@import url(http://t.example/x.css); p{color:red;background:url(http://t.example/y.png)}</style></head><body><p>x</p></body></html>');
    expect(html).toContain('color:red');
    expect(html).not.toContain('t.example');
    expect(blockedRemote).toBe(2);
  });
});

describe('filterCss', () => {
  it('refuses escapes and comments that could spell url( or expression(', () => {
    expect(filterCss('background:u\\72l(http://x/y)', false).css).toBe('');
    expect(filterCss('background:ur/**/l(http://x/y)', false).css).not.toContain('http://x/y)');
    expect(filterCss('width:expression(alert(1))', true).css).not.toContain('expression(');
  });

  it('keeps data: urls, cuts image-set without consent', () => {
    expect(filterCss('background:url("data:image/png;base64,AA")', false)).toEqual({ css: 'background:url("data:image/png;base64,AA")', blocked: 0 });
    expect(filterCss("background-image:image-set('http://x/a.png' 1x)", false).blocked).toBe(1);
  });
});
