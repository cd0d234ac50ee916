import { isTransientError } from '@mailcluster/store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WEB_ERRORS, WebError } from '../errors.ts';
import type { NoticeKey } from '../views/layout.ts';
import { errorPage } from '../views/error-page.ts';

/** Multipart limits (@fastify/multipart): too many or too large files or fields. */
const UPLOAD_LIMIT_CODES = new Set(['FST_REQ_FILE_TOO_LARGE', 'FST_FILES_LIMIT', 'FST_FIELDS_LIMIT', 'FST_PARTS_LIMIT', 'FST_ERR_CTP_BODY_TOO_LARGE']);

/** Any error as the WebError the client sees; never lets an unknown error out as anything but WEB_ERR_INTERNAL. */
export function toWebError(error: unknown): WebError {
  if (error instanceof WebError) return error;
  const { code, statusCode, validation } = error as { code?: unknown; statusCode?: unknown; validation?: unknown };
  if (typeof code === 'string' && UPLOAD_LIMIT_CODES.has(code)) return new WebError('WEB_ERR_UPLOAD_TOO_LARGE');
  if (statusCode === 413) return new WebError('WEB_ERR_UPLOAD_TOO_LARGE');
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || statusCode === 415) return new WebError('WEB_ERR_UNSUPPORTED_MEDIA_TYPE');
  if (validation !== undefined || statusCode === 400) return new WebError('WEB_ERR_BAD_REQUEST');
  if (statusCode === 404) return new WebError('WEB_ERR_NOT_FOUND');
  if (isTransientError(error)) return new WebError('WEB_ERR_UNAVAILABLE', undefined, { retryAfter: 5 });
  return new WebError('WEB_ERR_INTERNAL');
}

export function isApi(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

/** Answers an error: JSON for the API, a page (or the sign-in page) for people. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: WebError): FastifyReply {
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
  if (isApi(request)) {
    return reply.code(error.httpStatus).send({ error: { code: error.code, message: error.message } });
  }
  if (error.code === 'WEB_ERR_NOT_SIGNED_IN' && request.method === 'GET') {
    return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
  }
  const text = error.detail === undefined ? WEB_ERRORS[error.code].text : `${WEB_ERRORS[error.code].text} ${error.detail}`;
  return reply.code(error.httpStatus).type('text/html; charset=utf-8').send(errorPage(error.httpStatus, error.code, text));
}

export function sendPage(reply: FastifyReply, page: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

/** After a form POST: back to a page of ours, with a fixed notice. */
export function redirectBack(reply: FastifyReply, path: string, notice?: NoticeKey): FastifyReply {
  const target = localPath(path);
  const sep = target.includes('?') ? '&' : '?';
  return reply.redirect(notice === undefined ? target : `${target}${sep}done=${notice}`, 303);
}

/** Only a path on this site (`/x`, never `//host` or `/\host`) may be a redirect target. */
export function localPath(path: string | undefined, fallback = '/mail/inbox'): string {
  return path !== undefined && /^\/(?![/\\])[\x21-\x7e]*$/.test(path) ? path : fallback;
}
