import type { MailStore } from '@mailcluster/store';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsers, openTestStore, uniqueDomain } from '../support/stack.ts';
import { type RemoteRequests, deliverMail, launchChromium, signIn, trackRemoteRequests, waitForMail, webUrl } from '../support/webmail.ts';

/**
 * HTML mail that tries to run code (checklist C1) or to load something before the reader agreed
 * (C2), opened in real chromium. Any script that ran would open a dialog or fetch from xss.test;
 * any remote load would be a request to remote.test: the route handler sees (and aborts) both.
 * Bug classes from webmail CVEs: Roundcube CVE-2023-5631, -2018-19206, -2024-37383, -2016-4552,
 * feImage tracking, RainLoop <base>, SnappyMail mXSS, sanitize-html <xmp>.
 */
const XSS: Record<string, string> = {
  script: `<script>alert('script');fetch('http://xss.test/script')</script>`,
  onerror: `<img src=x onerror="alert('onerror');fetch('http://xss.test/onerror')">`,
  onload: `<body onload="alert('onload')"><p>body</p>`,
  'javascript-url': `<a id="js" href="javascript:alert('js-url')">click me</a>`,
  'svg-script': `<svg><script>alert('svg')</script><animate onbegin="alert('animate')" attributeName="x" dur="1s"></animate></svg>`,
  'svg-use-data': `<svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0neCcgeG1sbnM9J2h0dHA6Ly93d3cudzMub3JnLzIwMDAvc3ZnJz48aW1hZ2UgaHJlZj0nMScgb25lcnJvcj0nYWxlcnQoMSknIC8+PC9zdmc+#x"></use></svg>`,
  'svg-smil': `<svg><a id="s"><text y="20">smil</text></a><animate xlink:href="#s" attributeName="href" values="javascript:alert('smil')"/></svg>`,
  mathml: `<math><mtext><table><mglyph><style><img src=x onerror="alert('mathml')"></style></mglyph></table></mtext></math>`,
  'style-desanitize': `<html><svg><style><//><body onload="alert('cve-2018-19206')">`,
  'css-expression': `<div style="width:expression(alert('expr'));background:url(javascript:alert('css'))">css</div>`,
  base: `<base href="http://xss.test/"><a href="relative">relative link</a><img src="relative.png">`,
  srcdoc: `<iframe srcdoc="<script>alert('srcdoc')</script>"></iframe>`,
  'meta-refresh': `<meta http-equiv="refresh" content="0;url=http://xss.test/refresh"><p>stay</p>`,
  form: `<form action="http://xss.test/form"><input name="a" value="b"><button id="go">go</button></form>`,
  'object-embed': `<object data="javascript:alert('object')"></object><embed src="javascript:alert('embed')">`,
  'map-area': `<map name="m"><area id="area" href="javascript:alert('area')" shape="rect" coords="0,0,100,100"></map>`,
  noscript: `<noscript><p title="</noscript><img src=x onerror=alert('noscript')>"></p></noscript>`,
  xmp: `<xmp><script>alert('xmp')</script></xmp>`,
  details: `<details open ontoggle="alert('toggle')"><summary>s</summary></details>`,
  ping: `<a id="ping" href="https://example.org/" ping="http://xss.test/ping">ping</a>`,
};

/** Every way a mail can make the reader's browser fetch something. */
const REMOTE = [
  `<img src="http://remote.test/img.png" alt="img">`,
  `<img srcset="http://remote.test/srcset.png 2x" alt="srcset">`,
  `<table background="http://remote.test/bg.png"><tr><td>table</td></tr></table>`,
  `<div style="background-image:url('http://remote.test/inline.png')">inline css</div>`,
  `<style>@import url(http://remote.test/import.css); .a{background:url(http://remote.test/class.png)} @font-face{font-family:f;src:url(http://remote.test/font.woff)}</style><p class="a" style="font-family:f">styled</p>`,
  `<div style="background:u\\72l(http://remote.test/escaped.png)">escaped</div>`,
  `<link rel="stylesheet" href="http://remote.test/link.css">`,
  `<svg width="10" height="10"><image href="http://remote.test/svg-image.png"/><filter id="f"><feImage href="http://remote.test/feimage.png"/></filter></svg>`,
  `<video poster="http://remote.test/poster.png" src="http://remote.test/video.mp4"></video><audio src="http://remote.test/audio.mp3"></audio>`,
  `<input type="image" src="http://remote.test/input.png">`,
  `<div style="background-image:image-set('http://remote.test/set.png' 1x)">image-set</div>`,
].join('\n');

interface Watch {
  dialogs: string[];
  csp: string[];
}

function watch(page: Page): Watch {
  const seen: Watch = { dialogs: [], csp: [] };
  page.on('dialog', (dialog) => {
    seen.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.csp.push(message.text());
  });
  return seen;
}

describe('hostile mail in chromium', () => {
  let browser: Browser;
  let store: MailStore;
  let context: BrowserContext;
  let remote: RemoteRequests;
  let page: Page;
  let seen: Watch;
  let ann: string;
  const domain = uniqueDomain('xss');

  beforeAll(async () => {
    store = await openTestStore();
    [ann] = (await createUsers(store, domain, ['ann'])) as [string];
    for (const [name, body] of Object.entries(XSS)) {
      await deliverMail({ from: 'mallory@outside.test', to: ann }, { subject: `xss ${name}`, text: name, html: `<p>${name}</p>${body}` });
    }
    await deliverMail({ from: 'tracker@outside.test', to: ann }, { subject: 'remote corpus', text: 'remote', html: `<p id="marker">remote corpus</p>${REMOTE}` });
    await deliverMail({ from: 'mallory@outside.test', to: ann }, {
      from: { name: `<img src=x onerror="alert('name')">`, address: 'mallory@outside.test' },
      subject: `<script>alert('subject')</script>"><img src=x onerror=alert('subject2')>`,
      text: 'hostile headers',
      attachments: [{ filename: `<img src=x onerror=alert('file')>.pdf`, content: Buffer.from('%PDF-1.4\n'), contentType: 'application/pdf' }],
    });
    await waitForMail(store, ann, (m) => m.subject.startsWith('<script>'));
    await waitForMail(store, ann, (m) => m.subject === 'remote corpus');
    browser = await launchChromium();
    context = await browser.newContext();
    remote = await trackRemoteRequests(context);
    page = await context.newPage();
    seen = watch(page);
    await signIn(page, ann);
  });

  afterAll(async () => {
    await browser?.close();
    await store?.close();
  });

  it.each(Object.keys(XSS))('%s: nothing runs, nothing leaves', async (name) => {
    const item = await waitForMail(store, ann, (m) => m.subject === `xss ${name}`);
    await page.goto(webUrl(`/messages/${item.id}`));
    const frame = page.frameLocator('iframe.body-frame');
    await expect.poll(() => frame.locator('p').first().textContent()).toBe(name);
    // Links that survived are clicked too: a javascript: URL or an area must not run either.
    for (const id of ['#js', '#area', '#go']) {
      const link = frame.locator(id);
      if ((await link.count()) > 0) await link.click({ force: true, timeout: 2_000 }).catch(() => undefined);
    }
    await page.waitForTimeout(300);
    expect(seen.dialogs).toEqual([]);
    expect(remote.urls.filter((url) => url.includes('xss.test'))).toEqual([]);
    expect(page.url()).toMatch(/\/messages\/\d+$/);
  });

  it('the sanitised frame has no script, handler, javascript: URL, base, meta, form or frame left', async () => {
    const frames = page.frames().filter((f) => f.url().includes('/html'));
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) {
      const html = await frame.content();
      expect(html).not.toMatch(/<script|<iframe|<base|<meta http-equiv|<form|<object|<embed|<svg|<math|\son\w+=|javascript:/i);
    }
    expect(seen.csp.filter((line) => /script/i.test(line))).toEqual([]);
  });

  it('remote content: nothing is fetched before consent, and it is after "Show once"', async () => {
    remote.urls.length = 0;
    await page.goto(webUrl('/search?q=remote+corpus'));
    await page.locator('li[data-row] a').first().click();
    await page.waitForURL(/\/messages\/\d+$/);
    await expect.poll(() => page.frameLocator('iframe.body-frame').locator('#marker, p').first().textContent()).toBe('remote corpus');
    await page.waitForTimeout(500);
    expect(remote.urls).toEqual([]);
    expect(await page.locator('.banner').textContent()).toMatch(/Remote content \(\d+ items\) was blocked/);

    // The counter can see requests: with consent the images are asked for (and aborted by the route).
    await page.getByRole('link', { name: 'Show once' }).click();
    await expect.poll(() => remote.urls.filter((url) => url.startsWith('http://remote.test/')).length).toBeGreaterThan(0);
    expect(remote.urls).toContain('http://remote.test/img.png');
    // Consent loads images, never other stylesheets.
    expect(remote.urls.filter((url) => /import\.css|link\.css/.test(url))).toEqual([]);
    expect(seen.dialogs).toEqual([]);
  });

  it('hostile subject, display name and attachment name are text on every page', async () => {
    const subject = `<script>alert('subject')</script>"><img src=x onerror=alert('subject2')>`;
    const item = await waitForMail(store, ann, (m) => m.subject === subject);
    const pages = [
      '/mail/inbox',
      '/conversations',
      '/search?q=alert',
      `/messages/${item.id}`,
      `/messages/${item.id}/thread`,
      `/compose?reply=${item.id}`,
      `/compose?forward=${item.id}`,
    ];
    for (const path of pages) {
      await page.goto(webUrl(path));
      await page.waitForTimeout(100);
      expect(await page.locator('img[src="x"]').count(), path).toBe(0);
      expect(await page.locator('main script').count(), path).toBe(0);
    }
    await page.goto(webUrl(`/messages/${item.id}`));
    expect(await page.locator('h1#subject').textContent()).toBe(subject);
    expect(await page.locator('.headers .person').first().textContent()).toBe(`<img src=x onerror="alert('name')"> <mallory@outside.test>`);
    expect(await page.locator('.attachments a').textContent()).toBe(`<img src=x onerror=alert('file')>.pdf`);
    await page.goto(webUrl(`/compose?forward=${item.id}`));
    expect(await page.getByLabel('Subject').inputValue()).toBe(`Fwd: ${subject}`);
    expect(seen.dialogs).toEqual([]);
  });
});
