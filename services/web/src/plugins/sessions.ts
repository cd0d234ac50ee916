import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import type { SessionContext, SessionService } from '../auth/session-service.ts';
import { isAdminPath } from '../admin/admin-paths.ts';
import { WebError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    session: SessionContext | null;
  }
}

/**
 * `__Host-` makes the browser insist on Secure, Path=/ and no Domain, so no other host or
 * subdomain can set or shadow it. Chromium and Firefox treat http://localhost and 127.0.0.1 as
 * secure, so the local stack works over plain HTTP; everywhere else TLS ends at the Ingress.
 */
export const SESSION_COOKIE = '__Host-mc-session';

/** Reads the session cookie of every request that is not for a static file. */
export function installSessions(app: FastifyInstance, sessions: SessionService): void {
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/static/') || isAdminPath(request.url)) return;
    const cookie = request.cookies[SESSION_COOKIE];
    request.session = cookie === undefined ? null : await sessions.resolve(cookie);
  });
}

export function setSessionCookie(reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  reply.setCookie(SESSION_COOKIE, value, { path: '/', secure: true, httpOnly: true, sameSite: 'strict', maxAge: maxAgeSeconds });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
}

/** The signed-in user, or WEB_ERR_NOT_SIGNED_IN. */
export function signedIn(request: FastifyRequest): SessionContext {
  if (request.session === null) throw new WebError('WEB_ERR_NOT_SIGNED_IN');
  return request.session;
}
