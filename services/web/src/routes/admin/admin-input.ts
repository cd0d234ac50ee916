import { AdminError } from '@mailcluster/admin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { isApi } from '../respond.ts';
import { errorPage } from '../../views/error-page.ts';

/** Admin request input, checked with zod: a malformed one is ADMIN_ERR_BAD_REQUEST (400). */
export function adminInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new AdminError('ADMIN_ERR_BAD_REQUEST', issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : undefined);
  }
  return result.data;
}

/** An admin refusal: JSON for the API, the sign-in page or an error page for people. */
export function sendAdminError(request: FastifyRequest, reply: FastifyReply, error: AdminError): FastifyReply {
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
  if (isApi(request)) return reply.code(error.httpStatus).send({ error: { code: error.code, message: error.message } });
  if (error.code === 'ADMIN_ERR_NOT_SIGNED_IN' && request.method === 'GET') return reply.redirect(`/admin/login?next=${encodeURIComponent(request.url)}`, 303);
  return reply.code(error.httpStatus).type('text/html; charset=utf-8').send(errorPage(error.httpStatus, error.code, error.message));
}
