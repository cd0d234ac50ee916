import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FOLDERS, type MailItem, type MailStore, listFolder } from '@mailcluster/store';
import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { expect } from 'vitest';
import { type NodeProcess, startNodeProcess } from './node-process.ts';
import { deliver } from './sender.ts';
import { stack } from './stack.ts';
import { waitFor } from './wait.ts';

/** Helpers for the webmail tests (project `browser`): Debian's chromium, sign-in, mail that arrives over SMTP. */

export const PASSWORD = 'correct horse battery';

/** Headless chromium without the background traffic it makes by default (this machine has only loopback). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export function webUrl(path = ''): string {
  return `${stack().webUrl}${path}`;
}

/** Every request of a context that leaves the webmail's origin is counted and aborted (nothing leaves loopback). */
export interface RemoteRequests {
  urls: string[];
}

export async function trackRemoteRequests(context: BrowserContext): Promise<RemoteRequests> {
  const origin = new URL(stack().webUrl).origin;
  const seen: RemoteRequests = { urls: [] };
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
    seen.urls.push(url);
    return route.abort('blockedbyclient');
  });
  return seen;
}

export async function signIn(page: Page, address: string, password = PASSWORD): Promise<void> {
  await page.goto(webUrl('/login'));
  await page.getByLabel('Mail address').fill(address);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/mail\/inbox/);
}

/** Delivers a message the real way: SMTP to smtp-ingest (port 2525), from an outside or hosted sender. */
export async function deliverMail(envelope: { from: string; to: string }, message: SendMailOptions): Promise<void> {
  const built = await new MailComposer({ from: envelope.from, to: envelope.to, ...message }).compile().build();
  // MailComposer keeps the text's bare LFs; on the wire every line ends in CRLF (ingest refuses anything else).
  const raw = Buffer.from(built.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
  const { host, port } = stack().smtp;
  const result = await deliver(host, port, { from: envelope.from, to: [envelope.to], raw }, { attempts: 20, retryDelayMs: 500 });
  expect(result.outcome, result.final?.text).toBe('delivered');
}

/** Waits until a folder of a mailbox holds a message that `match` accepts, and returns it. */
export function waitForMail(store: MailStore, address: string, match: (item: MailItem) => boolean, folder: number = FOLDERS.inbox): Promise<MailItem> {
  return waitFor(`a matching message in folder ${folder} of ${address}`, async () => {
    const items = await listFolder(store.homePool(address), address, { folder, limit: 100 });
    return items.find(match);
  }, { timeoutMs: 30_000, intervalMs: 200 });
}

/** A session for HTTP-level tests: its cookie and CSRF token, from the API's sign-in. */
export interface ApiSession {
  cookie: string;
  csrf: string;
  /** fetch against a web pod with the session cookie, the CSRF token and the webmail's Origin. */
  fetch(path: string, init?: RequestInit & { csrf?: boolean; origin?: string | null }): Promise<Response>;
}

export async function apiSignIn(address: string, password = PASSWORD, base = stack().webUrl): Promise<ApiSession> {
  const response = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(base).origin },
    body: JSON.stringify({ address, password }),
  });
  expect(response.status).toBe(201);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return sessionFor(cookie, csrfToken, base);
}

export function sessionFor(cookie: string, csrf: string, base = stack().webUrl): ApiSession {
  return {
    cookie,
    csrf,
    fetch: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('cookie', cookie);
      if (init.csrf !== false) headers.set('x-csrf-token', csrf);
      // Every pod sits behind the one public URL: that origin is the one pages post from.
      const origin = init.origin === undefined ? new URL(stack().webUrl).origin : init.origin;
      if (origin !== null) headers.set('origin', origin);
      return fetch(`${base}${path}`, { ...init, headers, redirect: 'manual' });
    },
  };
}

/** Saves a screenshot of the main screens for the README (docs/screenshots/<name>.png). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = join(stack().repo, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false });
}

/**
 * One more web pod on the stack's dbs (an OS-chosen port), behind the same public URL as the
 * stack's: for "every pod" checks and for settings the stack's pod does not have.
 */
export async function startWebPod(env: Record<string, string> = {}): Promise<{ url: string; pod: NodeProcess }> {
  const { dbUrls, webUrl: publicUrl, submission, tlsCertFile } = stack();
  const pod = await startNodeProcess('services/web/src/main.ts', [], {
    MAILCLUSTER_DB_URLS: dbUrls.join(','),
    MAILCLUSTER_WEB_LISTEN: '127.0.0.1:0',
    MAILCLUSTER_OPS_LISTEN: '127.0.0.1:0',
    MAILCLUSTER_PUBLIC_URL: publicUrl,
    MAILCLUSTER_SUBMISSION: `${submission.host}:${submission.port}`,
    MAILCLUSTER_SUBMISSION_PASSWORD: submission.password,
    MAILCLUSTER_SUBMISSION_CA_FILE: tlsCertFile,
    ...env,
  }, 2);
  return { url: `http://127.0.0.1:${pod.ports['web listening']}`, pod };
}
