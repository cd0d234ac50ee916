import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { AdminError } from '@mailcluster/admin';
import { WebError } from './errors.ts';
import { installAdminAuth } from './plugins/admin-auth.ts';
import { adminAuditRoutes } from './routes/admin/admin-api-audit.ts';
import { adminDirectoryRoutes } from './routes/admin/admin-api-directory.ts';
import { adminSessionRoutes } from './routes/admin/admin-api-session.ts';
import { adminUserRoutes } from './routes/admin/admin-api-users.ts';
import { sendAdminError } from './routes/admin/admin-input.ts';
import { adminPageRoutes } from './routes/admin/admin-pages.ts';
import { installCsrf } from './plugins/csrf.ts';
import { installSecurityHeaders } from './plugins/security-headers.ts';
import { installSessions } from './plugins/sessions.ts';
import { authRoutes } from './routes/auth.ts';
import { composeRoutes } from './routes/compose.ts';
import { folderRoutes } from './routes/folders.ts';
import { mailboxRoutes } from './routes/mailbox.ts';
import { messageRoutes } from './routes/messages.ts';
import { sendError, toWebError } from './routes/respond.ts';
import { settingsRoutes } from './routes/settings.ts';
import { staticRoutes } from './routes/static.ts';
import type { WebServices } from './services.ts';

/** Largest urlencoded or JSON body: a long message typed without attachments (those come as multipart). */
const BODY_LIMIT = 4 * 1024 * 1024;

/**
 * The webmail as a fastify instance, from its services: no sockets of its own, so tests can
 * `inject()` requests and main.ts decides where it listens.
 */
export async function buildApp(services: WebServices): Promise<FastifyInstance> {
  const { config, log, metrics } = services;
  const logger: FastifyBaseLogger = log;
  const app = fastify({
    loggerInstance: logger,
    // Requests are counted in metrics; the log keeps errors, not one line per request.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 200 },
  });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  await app.register(multipart, {
    attachFieldsToBody: true,
    throwFileSizeLimit: true,
    limits: {
      fileSize: config.maxAttachmentBytes,
      files: config.maxAttachments,
      fields: 200,
      fieldSize: BODY_LIMIT,
      parts: config.maxAttachments + 200,
    },
  });
  installSecurityHeaders(app, { https: new URL(config.publicUrl).protocol === 'https:' });
  // Origin before sessions: a foreign POST is refused before it costs a session lookup.
  installCsrf(app, new URL(config.publicUrl).origin);
  installSessions(app, services.sessions);
  installAdminAuth(app, { sessions: services.adminSessions, accounts: services.adminFor({ name: 'web', role: 'viewer' }).admins, store: services.store });

  app.addHook('onResponse', async (request, reply) => {
    metrics.requestSeconds.observe(
      { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof AdminError) return sendAdminError(request, reply, error);
    const web = toWebError(error);
    if (web.httpStatus >= 500) log.error({ err: error, url: request.url, code: web.code }, 'request failed');
    return sendError(request, reply, web);
  });
  app.setNotFoundHandler(async (request, reply) => sendError(request, reply, new WebError('WEB_ERR_NOT_FOUND')));

  staticRoutes(app);
  authRoutes(app, services);
  mailboxRoutes(app, services);
  folderRoutes(app, services);
  messageRoutes(app, services);
  composeRoutes(app, services);
  settingsRoutes(app, services);
  adminSessionRoutes(app, services);
  adminUserRoutes(app, services);
  adminDirectoryRoutes(app, services);
  adminAuditRoutes(app, services);
  adminPageRoutes(app, services);
  return app;
}
