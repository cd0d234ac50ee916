import { Registry, createLogger, parseConfig } from '@mailcluster/common';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import type { SessionContext } from './auth/session-service.ts';
import { webConfigSchema } from './config.ts';
import { webMetrics } from './metrics.ts';
import { ADMIN_OPENAPI_DOCUMENT } from './routes/admin/admin-api-session.ts';
import { OPENAPI_DOCUMENT } from './routes/static.ts';
import type { WebServices } from './services.ts';

/** The routes as fastify's route tree prints them, as `METHOD /path` (HEAD left out). */
function registeredRoutes(app: FastifyInstance): Set<string> {
  const routes = new Set<string>();
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)$/.exec(line);
    if (!match) continue;
    const depth = (match[1] as string).length / 4;
    stack[depth] = (depth === 0 ? '' : (stack[depth - 1] ?? '')) + (match[2] as string);
    stack.length = depth + 1;
    for (const method of (match[3] as string).split(', ')) if (method !== 'HEAD') routes.add(`${method} ${stack[depth]}`);
  }
  return routes;
}

const SESSION: SessionContext = { id: Buffer.alloc(32), db: 0, address: 'ann@example.com', csrfToken: 't'.repeat(43), createdAt: new Date(), lastSeenAt: new Date(), profile: null };

describe('the web app (inject, no servers)', () => {
  let app: FastifyInstance;
  const config = parseConfig(webConfigSchema, { MAILCLUSTER_DB_URLS: 'mysql://u:p@127.0.0.1:1/db', MAILCLUSTER_SUBMISSION_PASSWORD: 'x' });

  beforeAll(async () => {
    // Only the session lookup is faked: the requests below are refused before any other service is used.
    const sessions = { resolve: (cookie: string) => Promise.resolve(cookie === 'signed-in' ? SESSION : null) };
    const adminFor = () => ({ admins: { verifyToken: () => Promise.resolve(null) } });
    app = await buildApp({ config, log: createLogger('web', 'silent'), metrics: webMetrics(new Registry()), sessions, adminSessions: sessions, adminFor } as unknown as WebServices);
  });

  afterAll(() => app.close());

  it.each([
    ['openapi.json', OPENAPI_DOCUMENT, (path: string) => path.startsWith('/api/') && !path.startsWith('/api/admin/')],
    ['admin-openapi.json', ADMIN_OPENAPI_DOCUMENT, (path: string) => path.startsWith('/api/admin/')],
  ])('documents every route of its API in %s, and documents no other', (_name, document, ofThisApi) => {
    const documented = new Set<string>();
    for (const [path, item] of Object.entries((document as { paths: Record<string, Record<string, unknown>> }).paths)) {
      for (const method of Object.keys(item)) if (method !== 'parameters') documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
    const api = [...registeredRoutes(app)].filter((route) => ofThisApi(route.split(' ')[1] ?? ''));
    expect(api.length).toBeGreaterThan(15);
    expect([...documented].sort()).toEqual(api.sort());
  });

  it('keeps the admin API to admins: 401 without a token or admin session, and a mail user\'s session is not one', async () => {
    for (const headers of [{}, { cookie: '__Host-mc-session=signed-in' }, { authorization: 'Bearer mca_000000000000_xxx' }]) {
      const response = await app.inject({ method: 'GET', url: '/api/admin/users', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'ADMIN_ERR_NOT_SIGNED_IN' } });
    }
    const page = await app.inject({ method: 'GET', url: '/admin/users', headers: { cookie: '__Host-mc-session=signed-in' } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/admin/login?next=%2Fadmin%2Fusers');
  });

  it('serves pages with a strict CSP and the other security headers', async () => {
    const response = await app.inject({ method: 'GET', url: '/login' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(response.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'cache-control': 'no-store', 'referrer-policy': 'same-origin' });
    expect(response.body).not.toMatch(/<script>|\son\w+=/);
  });

  it('refuses a POST from a foreign origin before anything else, and a signed-in POST without the token', async () => {
    const foreign = await app.inject({ method: 'POST', url: '/api/session', headers: { origin: 'https://evil.example' }, payload: { address: 'a', password: 'b' } });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toEqual({ error: { code: 'WEB_ERR_FOREIGN_ORIGIN', message: 'Requests from other sites are not accepted.' } });
    const noToken = await app.inject({ method: 'POST', url: '/api/messages/actions', headers: { cookie: '__Host-mc-session=signed-in', origin: 'http://127.0.0.1:8080' }, payload: { ids: ['1'], action: 'read' } });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json()).toMatchObject({ error: { code: 'WEB_ERR_CSRF' } });
  });

  it('answers the API in JSON and people with pages or the sign-in page', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/nope' })).json()).toMatchObject({ error: { code: 'WEB_ERR_NOT_FOUND' } });
    expect((await app.inject({ method: 'GET', url: '/api/folders' })).statusCode).toBe(401);
    const page = await app.inject({ method: 'GET', url: '/mail/inbox' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Fmail%2Finbox');
    const missing = await app.inject({ method: 'GET', url: '/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('serves the static files under their content hash, cached for a year', async () => {
    const login = (await app.inject({ method: 'GET', url: '/login' })).body;
    const css = /href="(\/static\/app-[0-9a-f]{12}\.css)"/.exec(login)?.[1] as string;
    const response = await app.inject({ method: 'GET', url: css });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});
