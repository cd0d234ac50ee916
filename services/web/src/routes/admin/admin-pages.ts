import { AdminError } from '@mailcluster/admin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { clearAdminCookie, setAdminCookie, signedInAdmin } from '../../plugins/admin-auth.ts';
import type { WebServices } from '../../services.ts';
import { ADMIN_NOTICES, type AdminChrome, type AdminNoticeKey } from '../../views/admin/admin-layout.ts';
import { adminLoginPage } from '../../views/admin/admin-login-page.ts';
import { adminAuditPage, adminDomainsPage, adminUserPage, adminUsersPage } from '../../views/admin/admin-pages.ts';
import { localPath, sendPage } from '../respond.ts';
import { adminCredentialsSchema } from './admin-api-session.ts';
import { adminInput } from './admin-input.ts';

const PAGE = 50;

function noticeOf(request: FastifyRequest): AdminNoticeKey | undefined {
  const done = (request.query as { done?: unknown } | undefined)?.done;
  return typeof done === 'string' && done in ADMIN_NOTICES ? (done as AdminNoticeKey) : undefined;
}

/** The admin pages: server-rendered forms over the same admin service as the API, for admins only. */
export function adminPageRoutes(app: FastifyInstance, services: WebServices): void {
  const maxAge = services.config.sessionMaxHours * 3600;

  /** Pages need a session (its CSRF token goes into every form); an API token is not a browser. */
  function chrome(request: FastifyRequest, current: AdminChrome['current']): AdminChrome {
    const actor = signedInAdmin(request);
    if (request.adminSession === null) throw new AdminError('ADMIN_ERR_NOT_SIGNED_IN');
    return { actor: actor.name, role: actor.role, csrfToken: request.adminSession.csrfToken, current };
  }
  const admin = (request: FastifyRequest) => services.adminFor(signedInAdmin(request));

  app.get('/admin', async (_request, reply) => reply.redirect('/admin/users', 303));

  app.get('/admin/login', async (request, reply) => {
    const { next } = adminInput(z.object({ next: z.string().max(2000).optional() }), request.query);
    return sendPage(reply, adminLoginPage({ next }));
  });

  app.post('/admin/login', async (request, reply) => {
    const input = adminInput(adminCredentialsSchema, request.body);
    try {
      const account = await services.adminSignIn.attempt(input.name, input.password, request.ip);
      if (request.adminSession !== null) await services.adminSessions.end(request.adminSession);
      const { cookie } = await services.adminSessions.create(account.name);
      setAdminCookie(reply, cookie, maxAge);
    } catch (error) {
      if (!(error instanceof AdminError) || (error.code !== 'ADMIN_ERR_BAD_CREDENTIALS' && error.code !== 'ADMIN_ERR_THROTTLED')) throw error;
      if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
      return sendPage(reply, adminLoginPage({ name: input.name, error: error.message, next: input.next }), error.httpStatus);
    }
    return reply.redirect(localPath(input.next, '/admin/users'), 303);
  });

  app.post('/admin/logout', async (request, reply) => {
    if (request.adminSession !== null) await services.adminSessions.end(request.adminSession);
    clearAdminCookie(reply);
    return reply.redirect('/admin/login', 303);
  });

  app.get('/admin/users', async (request, reply) => {
    const query = adminInput(z.object({ q: z.string().max(320).default(''), domain: z.string().max(255).optional(), after: z.string().max(320).optional() }), request.query);
    const page = chrome(request, 'users');
    const users = await admin(request).users.list({ search: query.q, domain: query.domain || undefined, after: query.after, limit: PAGE });
    return sendPage(reply, adminUsersPage(page, { search: query.q, users, next: users.length === PAGE ? (users.at(-1)?.address ?? null) : null }, noticeOf(request)));
  });

  async function userPage(request: FastifyRequest<{ Params: { address: string } }>, reply: FastifyReply, error?: AdminError) {
    const page = chrome(request, 'users');
    const service = admin(request);
    const user = await service.users.get(request.params.address);
    const audit = await service.audit.list({ target: user.address, limit: 20 });
    return sendPage(reply, adminUserPage(page, user, audit, { notice: noticeOf(request), error: error?.message }), error?.httpStatus ?? 200);
  }

  app.get<{ Params: { address: string } }>('/admin/users/:address', (request, reply) => userPage(request, reply));

  const ACTIONS = ['quota', 'password', 'disable', 'enable', 'delete'] as const;
  app.post<{ Params: { address: string; action: string } }>('/admin/users/:address/:action', async (request, reply) => {
    const action = adminInput(z.enum(ACTIONS), request.params.action);
    const input = adminInput(z.object({ quota: z.string().max(32).optional(), password: z.string().max(1024).optional() }).passthrough(), request.body);
    const users = admin(request).users;
    const { address } = request.params;
    try {
      if (action === 'quota') await users.setQuota(address, input.quota ?? '');
      if (action === 'password') await users.resetPassword(address, input.password ?? '');
      if (action === 'disable' || action === 'enable') await users.setDisabled(address, action === 'disable');
      if (action === 'delete') {
        await users.remove(address);
        return reply.redirect('/admin/users?done=deleted', 303);
      }
    } catch (error) {
      // A refusal the admin can fix is shown on the user's page.
      if (!(error instanceof AdminError) || error.httpStatus >= 500 || error.code === 'ADMIN_ERR_UNKNOWN_USER') throw error;
      return userPage(request, reply, error);
    }
    const notice: AdminNoticeKey = action === 'disable' ? 'disabled' : action === 'enable' ? 'enabled' : action;
    return reply.redirect(`/admin/users/${encodeURIComponent(address)}?done=${notice}`, 303);
  });

  app.get('/admin/domains', async (request, reply) => {
    const page = chrome(request, 'domains');
    return sendPage(reply, adminDomainsPage(page, await admin(request).domains.list(), noticeOf(request)));
  });

  app.post('/admin/domains', async (request, reply) => {
    const input = adminInput(z.object({ name: z.string().max(300), defaultQuota: z.string().max(32).default('0') }).passthrough(), request.body);
    await admin(request).domains.add(input.name, input.defaultQuota);
    return reply.redirect('/admin/domains?done=domain', 303);
  });

  app.get('/admin/audit', async (request, reply) => {
    const query = adminInput(z.object({ target: z.string().max(320).default(''), before: z.coerce.number().int().positive().optional() }), request.query);
    const page = chrome(request, 'audit');
    const entries = await admin(request).audit.list({ target: query.target || undefined, before: query.before, limit: PAGE });
    return sendPage(reply, adminAuditPage(page, entries, { target: query.target, next: entries.length === PAGE ? (entries.at(-1)?.id ?? null) : null }));
  });
}
