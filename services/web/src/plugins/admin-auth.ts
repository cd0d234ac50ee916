import { type Actor, AdminError, adminActor } from '@mailcluster/admin';
import { type MailStore, findAdminAccount } from '@mailcluster/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminAccounts } from '@mailcluster/admin';
import { isAdminPath } from '../admin/admin-paths.ts';
import type { SessionContext, SessionService } from '../auth/session-service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The admin's cookie session on admin paths (it carries the CSRF token), else null. */
    adminSession: SessionContext | null;
    /** Who an admin request acts as: a signed-in admin or an API token; null when neither. */
    adminActor: Actor | null;
  }
}

/** A cookie of its own: an admin's session is never a mail user's, and the other way round. */
export const ADMIN_SESSION_COOKIE = '__Host-mc-admin';

/**
 * On /admin and /api/admin only: an `Authorization: Bearer mca_…` token (automation; no cookie, so
 * no CSRF token is needed), else the admin session cookie. The role is read from the account on
 * every request, so a demoted or deleted admin loses access at once.
 */
export function installAdminAuth(app: FastifyInstance, deps: { sessions: SessionService; accounts: AdminAccounts; store: MailStore }): void {
  app.decorateRequest('adminSession', null);
  app.decorateRequest('adminActor', null);
  app.addHook('onRequest', async (request) => {
    if (!isAdminPath(request.url)) return;
    const bearer = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) {
      request.adminActor = await deps.accounts.verifyToken(bearer);
      return;
    }
    const cookie = request.cookies[ADMIN_SESSION_COOKIE];
    const session = cookie === undefined ? null : await deps.sessions.resolve(cookie);
    const account = session === null ? null : await findAdminAccount(deps.store.directory, session.address);
    if (session === null || account === null) return;
    request.adminSession = session;
    request.adminActor = adminActor(account.name, account.role);
  });
}

/** The admin a request acts as, or ADMIN_ERR_NOT_SIGNED_IN (401). */
export function signedInAdmin(request: FastifyRequest): Actor {
  if (request.adminActor === null) throw new AdminError('ADMIN_ERR_NOT_SIGNED_IN');
  return request.adminActor;
}

export function setAdminCookie(reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  reply.setCookie(ADMIN_SESSION_COOKIE, value, { path: '/', secure: true, httpOnly: true, sameSite: 'strict', maxAge: maxAgeSeconds });
}

export function clearAdminCookie(reply: FastifyReply): void {
  reply.clearCookie(ADMIN_SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
}
