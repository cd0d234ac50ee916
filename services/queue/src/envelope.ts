import { z } from 'zod';

/**
 * One accepted recipient copy, as ingest publishes it and a writer stores it, in a frame (below);
 * when the raw message is too large to travel inline it sits in the blob store and `blobKey` names
 * it (the bytes part is empty).
 */
const addressSchema = z.object({ address: z.string(), name: z.string() });

export const parsedMailSchema = z.object({
  subject: z.string(),
  from: z.array(addressSchema),
  to: z.array(addressSchema),
  cc: z.array(addressSchema),
  /** The Date header, ISO 8601, or null when absent or unreadable. */
  date: z.string().nullable(),
  messageId: z.string().nullable(),
  inReplyTo: z.string().nullable(),
  references: z.array(z.string()),
  /** The first characters of the text, whitespace collapsed: the line under the subject in a list. */
  snippet: z.string(),
  /** The text used for search (decoded text part, or the HTML's text), truncated. */
  text: z.string(),
  hasHtml: z.boolean(),
  attachments: z.array(z.object({ filename: z.string(), contentType: z.string(), size: z.number().int().nonnegative() })),
});

export const mailCopySchema = z.object({
  version: z.literal(1),
  /** The mailbox this copy goes to, normalised: an envelope recipient, or the sender for a Sent copy. */
  recipient: z.string().min(3),
  /** The folder it is filed in: the Inbox of a recipient, or the Sent folder of the sender. */
  folder: z.enum(['inbox', 'sent']).default('inbox'),
  /** Filed as already read (a sender's own Sent copy). */
  seen: z.boolean().default(false),
  /** Envelope sender; '' for the null reverse-path (bounces). */
  mailFrom: z.string(),
  /** When ingest accepted the message (ms since the epoch): the start of the 250→row latency. */
  acceptedAt: z.number().int(),
  /** hex sha256 of (recipient, raw bytes as received): the Nats-Msg-Id and the table's unique key. */
  dedupeKey: z.string().regex(/^[0-9a-f]{64}$/),
  /** Size of the stored message (trace headers included), in bytes. */
  size: z.number().int().nonnegative(),
  /** Set when the message body is in the blob store instead of inline. */
  blobKey: z.string().optional(),
  parsed: parsedMailSchema,
});

export type ParsedMail = z.infer<typeof parsedMailSchema>;
export type MailCopy = z.input<typeof mailCopySchema>;
export type DecodedMailCopy = z.output<typeof mailCopySchema>;

/** `[u32 length of the JSON][JSON][raw bytes]`: metadata and message in one NATS payload. */
export function encodeFrame(meta: unknown, raw: Uint8Array | undefined): Uint8Array {
  const json = Buffer.from(JSON.stringify(meta));
  const out = Buffer.allocUnsafe(4 + json.length + (raw?.length ?? 0));
  out.writeUInt32BE(json.length, 0);
  json.copy(out, 4);
  if (raw) out.set(raw, 4 + json.length);
  return out;
}

export class EnvelopeError extends Error {
  override name = 'EnvelopeError';
}

/** Decodes a frame and validates its metadata; throws EnvelopeError on anything malformed (a poison message). */
export function decodeFrame<S extends z.ZodType>(data: Uint8Array, schema: S): { meta: z.output<S>; raw: Buffer } {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buffer.length < 4) throw new EnvelopeError('envelope shorter than its length prefix');
  const jsonLength = buffer.readUInt32BE(0);
  if (4 + jsonLength > buffer.length) throw new EnvelopeError('envelope length prefix past the end');
  let json: unknown;
  try {
    json = JSON.parse(buffer.toString('utf8', 4, 4 + jsonLength));
  } catch {
    throw new EnvelopeError('envelope JSON unreadable');
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new EnvelopeError(`envelope invalid: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { meta: result.data, raw: buffer.subarray(4 + jsonLength) };
}

export function encodeMailCopy(copy: MailCopy, raw: Uint8Array | undefined): Uint8Array {
  return encodeFrame(copy, raw);
}

/** Decodes and validates a MAIL_IN copy. */
export function decodeMailCopy(data: Uint8Array): { copy: DecodedMailCopy; raw: Buffer } {
  const { meta, raw } = decodeFrame(data, mailCopySchema);
  return { copy: meta, raw };
}
