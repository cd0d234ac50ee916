import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WebError } from '../errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The form field and the header that carry the CSRF token. */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** A form field's value: urlencoded bodies give strings, multipart bodies give { value }. */
export function fieldValue(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const field = (body as Record<string, unknown>)[name];
  const single = Array.isArray(field) ? (field[0] as unknown) : field;
  if (typeof single === 'string') return single;
  if (typeof single === 'object' && single !== null && typeof (single as { value?: unknown }).value === 'string') return (single as { value: string }).value;
  return undefined;
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Every state change must come from our own pages: a foreign `Origin` (or, without one, a
 * cross-site `Sec-Fetch-Site`) is refused before the body is read, and a signed-in request must
 * carry the session's token, in the `_csrf` field of a form or the X-CSRF-Token header.
 * SameSite=Strict on the cookie is a third wall, not a replacement (OWASP CSRF cheat sheet).
 */
export function installCsrf(app: FastifyInstance, publicOrigin: string): void {
  app.addHook('onRequest', (request, _reply, done) => done(originProblem(request, publicOrigin)));
  app.addHook('preHandler', (request, _reply, done) => done(tokenProblem(request)));
}

function originProblem(request: FastifyRequest, publicOrigin: string): WebError | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const origin = request.headers.origin;
  if (origin !== undefined) return origin === publicOrigin ? undefined : new WebError('WEB_ERR_FOREIGN_ORIGIN');
  const site = request.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none' ? new WebError('WEB_ERR_FOREIGN_ORIGIN') : undefined;
}

function tokenProblem(request: FastifyRequest): WebError | undefined {
  // A cookie session (a mail user's, or an admin's on admin paths) needs its token; an API token does not.
  const session = request.session ?? request.adminSession;
  if (SAFE_METHODS.has(request.method) || session === null) return undefined;
  const header = request.headers[CSRF_HEADER];
  const given = typeof header === 'string' ? header : fieldValue(request.body, CSRF_FIELD);
  return sameToken(given, session.csrfToken) ? undefined : new WebError('WEB_ERR_CSRF');
}
