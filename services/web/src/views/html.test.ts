import { describe, expect, it } from 'vitest';
import { html, render } from './html.ts';

describe('html template', () => {
  it('escapes interpolated text, in text and in attributes', () => {
    const name = `<img src=x onerror="alert(1)">'\``;
    expect(render(html`<p title="${name}">${name}</p>`)).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&#96;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&#96;</p>',
    );
  });

  it('keeps nested fragments and lists, drops null, undefined and false', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(render(html`<ul>${items}${null}${undefined}${false}</ul>`)).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
  });

  it('does not trust look-alike objects', () => {
    expect(() => html`${{ toString: () => '<b>' }}`).toThrow(TypeError);
  });
});
