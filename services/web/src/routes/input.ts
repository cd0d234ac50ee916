import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { WebError } from '../errors.ts';
import { MESSAGE_ACTIONS } from '../mail/mailbox-service.ts';
import { NOTICES, type NoticeKey } from '../views/layout.ts';

/**
 * Request input, checked with zod before any service sees it. A malformed id is simply not found
 * (404); any other malformed input is WEB_ERR_BAD_REQUEST (400); nothing malformed reaches the db.
 */

/** A message id: a positive integer JavaScript can hold exactly. */
export const messageId = z.string().regex(/^[1-9]\d{0,15}$/).transform(Number);

export function parseId(value: unknown): number {
  const result = messageId.safeParse(value);
  if (!result.success) throw new WebError('WEB_ERR_NOT_FOUND');
  return result.data;
}

export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new WebError('WEB_ERR_BAD_REQUEST', issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : undefined);
  }
  return result.data;
}

/** One value or many (repeated form fields arrive as arrays). */
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item)]).transform((v) => (Array.isArray(v) ? v : [v]));

export const actionSchema = z.object({
  ids: oneOrMany(messageId).pipe(z.array(z.number()).max(1000)).default([]),
  action: z.enum(MESSAGE_ACTIONS),
  folder: z.string().max(20).optional(),
  back: z.string().max(500).optional(),
});

export const folderNameSchema = z.object({ name: z.string().max(400) });

/** `?page=` for offset-paged lists: at most 1,000 pages deep. */
export const pageSchema = z.object({ page: z.coerce.number().int().min(1).max(1000).default(1) });

export const beforeSchema = z.object({ before: z.string().max(40).optional(), limit: z.coerce.number().int().min(1).max(200).optional() });

export function noticeOf(request: FastifyRequest): NoticeKey | undefined {
  const done = (request.query as { done?: unknown } | undefined)?.done;
  return typeof done === 'string' && done in NOTICES ? (done as NoticeKey) : undefined;
}
