import type { MultipartFile } from '@fastify/multipart';
import { z } from 'zod';
import type { ComposeSubmission } from '../mail/compose-service.ts';
import { parse } from './input.ts';

const text = (max: number) => z.string().max(max).default('');
const optionalId = z
  .string()
  .regex(/^([1-9]\d{0,15})?$/)
  .optional()
  .transform((v) => (v === undefined || v === '' ? null : Number(v)));

const submissionSchema = z.object({
  action: z.enum(['send', 'save']).default('send'),
  to: text(10_000),
  cc: text(10_000),
  bcc: text(10_000),
  subject: text(2_000),
  body: text(2_000_000),
  draftId: optionalId,
  sourceId: optionalId,
  mode: z.enum(['reply', 'replyAll', 'forward', '']).optional().transform((v) => (v === undefined || v === '' ? null : v)),
  keep: z.union([z.string(), z.array(z.string())]).optional().transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});

function isFile(value: unknown): value is MultipartFile {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'file';
}

/**
 * The composer's body, from a multipart form (fields are `{ value }` objects, files carry their
 * bytes) or from JSON: plain fields into the schema, files into uploads. An empty file input (no
 * name, no bytes) is not an attachment.
 */
export async function composeSubmission(body: unknown): Promise<{ action: 'send' | 'save'; submission: ComposeSubmission }> {
  const fields: Record<string, unknown> = {};
  const uploads: ComposeSubmission['uploads'] = [];
  for (const [name, raw] of Object.entries(typeof body === 'object' && body !== null ? body : {})) {
    const values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
    const plain: unknown[] = [];
    for (const value of values) {
      if (isFile(value)) {
        const content = await value.toBuffer();
        if (value.filename !== '' || content.length > 0) uploads.push({ filename: value.filename, contentType: value.mimetype, content });
      } else {
        plain.push(typeof value === 'object' && value !== null && 'value' in value ? (value as { value: unknown }).value : value);
      }
    }
    if (plain.length > 0) fields[name] = plain.length === 1 ? plain[0] : plain;
  }
  const { action, ...rest } = parse(submissionSchema, fields);
  return { action, submission: { ...rest, uploads } };
}
